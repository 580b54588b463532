"""The joint partner plan aggregate: one plan per partner and year, versioned and signed by both sides.

decide_*(plan, command) -> events; evolve_plan(plan, event) -> plan. A change to a version either side
has signed starts a new version (signatures start over); activity completions are kept for the
activities the new version still has.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date

from incentive_contracts.events.governance import (
    ActivityKind,
    GovernancePlanActivityCompleted,
    GovernancePlanDrafted,
    GovernancePlanRevised,
    GovernancePlanSigned,
    PlanActivity,
    PlanContent,
    PlanSide,
)
from incentive_contracts.payload import EventPayload

from .errors import AlreadyExists, InvalidTransition, NotFound, Violation, raise_if_any

PlanEvent = GovernancePlanDrafted | GovernancePlanRevised | GovernancePlanSigned | GovernancePlanActivityCompleted
SIDES: tuple[PlanSide, ...] = ("partner", "vendor")
PLAN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")  # the contracts' Ident
PLAN_ID_MAX = 64


@dataclass(frozen=True)
class Completion:
    completed_on: date
    on_time: bool
    source: str


@dataclass(frozen=True)
class JointPlan:
    plan_id: str
    partner_id: str
    year: int
    plan_version: int
    content: PlanContent
    signatures: dict[str, str] = field(default_factory=dict)  # side -> who, for the current version
    signed_versions: tuple[int, ...] = ()  # versions both sides signed
    completions: dict[str, Completion] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if len(self.signatures) == len(SIDES):
            return "signed"
        return "partly_signed" if self.signatures else "draft"

    def activity(self, activity_id: str) -> PlanActivity | None:
        return next((a for a in self.content.activities if a.activity_id == activity_id), None)


@dataclass(frozen=True)
class DraftPlan:
    plan_id: str
    partner_id: str
    year: int
    content: PlanContent
    on: date
    by: str


@dataclass(frozen=True)
class RevisePlan:
    plan_id: str
    content: PlanContent
    on: date
    by: str


@dataclass(frozen=True)
class SignPlan:
    plan_id: str
    plan_version: int
    side: PlanSide
    on: date
    by: str


@dataclass(frozen=True)
class CompleteActivity:
    plan_id: str
    activity_id: str
    completed_on: date
    source: str


def content_violations(year: int, content: PlanContent) -> list[Violation]:
    problems = []
    activity_ids = [a.activity_id for a in content.activities]
    if len(set(activity_ids)) != len(activity_ids):
        problems.append(Violation("activity_ids_unique", "every activity of a plan needs its own activity_id"))
    criterion_ids = [c.criterion_id for c in content.criteria]
    if len(set(criterion_ids)) != len(criterion_ids):
        problems.append(Violation("criterion_ids_unique", "every success criterion needs its own criterion_id"))
    outside = sorted(a.activity_id for a in content.activities if a.due_on.year != year)
    if outside:
        problems.append(Violation("activity_in_plan_year", f"activities due outside {year}: {', '.join(outside)}"))
    return problems


def decide_draft(existing: JointPlan | None, command: DraftPlan) -> list[EventPayload]:
    if existing is not None:
        raise AlreadyExists(f"plan {command.plan_id} already exists")
    raise_if_any(content_violations(command.year, command.content))
    return [
        GovernancePlanDrafted(
            partner_id=command.partner_id,
            plan_id=command.plan_id,
            year=command.year,
            plan_version=1,
            content=command.content,
            drafted_on=command.on,
            drafted_by=command.by,
        )
    ]


def decide_revise(plan: JointPlan, command: RevisePlan) -> list[EventPayload]:
    """No change, no event; a change to a version someone signed is the next version."""
    raise_if_any(content_violations(plan.year, command.content))
    if command.content == plan.content:
        return []
    version = plan.plan_version + 1 if plan.signatures else plan.plan_version
    return [
        GovernancePlanRevised(
            partner_id=plan.partner_id,
            plan_id=plan.plan_id,
            plan_version=version,
            content=command.content,
            revised_on=command.on,
            revised_by=command.by,
        )
    ]


def decide_sign(plan: JointPlan, command: SignPlan) -> list[EventPayload]:
    if command.plan_version != plan.plan_version:
        raise InvalidTransition(
            f"version {command.plan_version} is not the plan's current version", [f"sign {plan.plan_version}"]
        )
    if command.side in plan.signatures:
        return []
    return [
        GovernancePlanSigned(
            partner_id=plan.partner_id,
            plan_id=plan.plan_id,
            plan_version=plan.plan_version,
            side=command.side,
            signed_by=command.by,
            signed_on=command.on,
            fully_signed=len(plan.signatures) + 1 == len(SIDES),
        )
    ]


def decide_complete(plan: JointPlan, command: CompleteActivity) -> list[EventPayload]:
    """Recording a held activity twice changes nothing (the first record stands)."""
    activity = plan.activity(command.activity_id)
    if activity is None:
        raise NotFound(f"plan {plan.plan_id} has no activity {command.activity_id}")
    if command.activity_id in plan.completions:
        return []
    return [
        GovernancePlanActivityCompleted(
            partner_id=plan.partner_id,
            plan_id=plan.plan_id,
            activity_id=activity.activity_id,
            kind=activity.kind,
            due_on=activity.due_on,
            completed_on=command.completed_on,
            on_time=command.completed_on <= activity.due_on,
            source=command.source,
        )
    ]


def matching_activity(plan: JointPlan, kind: ActivityKind) -> PlanActivity | None:
    """The activity an observed event of ``kind`` completes: the open one of that kind due first."""
    open_ones = [a for a in plan.content.activities if a.kind == kind and a.activity_id not in plan.completions]
    return min(open_ones, key=lambda a: (a.due_on, a.activity_id), default=None)


def evolve_plan(plan: JointPlan | None, event: EventPayload) -> JointPlan:
    if isinstance(event, GovernancePlanDrafted):
        return JointPlan(event.plan_id, event.partner_id, event.year, event.plan_version, event.content)
    assert plan is not None, f"{event.event_type} before the plan was drafted"
    if isinstance(event, GovernancePlanRevised):
        kept = {a.activity_id for a in event.content.activities}
        completions = {k: v for k, v in plan.completions.items() if k in kept}
        signatures = plan.signatures if event.plan_version == plan.plan_version else {}
        return replace(
            plan, plan_version=event.plan_version, content=event.content, signatures=signatures, completions=completions
        )
    if isinstance(event, GovernancePlanSigned):
        signed = plan.signed_versions + ((event.plan_version,) if event.fully_signed else ())
        return replace(plan, signatures={**plan.signatures, event.side: event.signed_by}, signed_versions=signed)
    if isinstance(event, GovernancePlanActivityCompleted):
        done = Completion(event.completed_on, event.on_time, event.source)
        return replace(plan, completions={**plan.completions, event.activity_id: done})
    raise TypeError(f"not a plan event: {event.event_type}")


def onboarding_plan_id(partner_id: str, year: int) -> str:
    """``plan-<partner>-<year>``; a partner id too long for a plan id is replaced by its digest."""
    plan_id = f"plan-{partner_id}-{year}"
    if len(plan_id) <= PLAN_ID_MAX and PLAN_ID.match(plan_id):
        return plan_id
    return f"plan-{hashlib.sha256(partner_id.encode()).hexdigest()[:24]}-{year}"


def _a_year_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def extended_content(content: PlanContent, years: int = 1) -> PlanContent:
    """The plan carried into a later year: the same segments, propositions, materials and criteria,
    the calendar moved by ``years`` (a draft both sides then revise and sign)."""
    moved = [a.model_copy(update={"due_on": _a_year_later(a.due_on, years)}) for a in content.activities]
    return content.model_copy(update={"activities": moved})
