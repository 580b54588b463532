"""Joint plan use cases: draft (also at onboarding), extend into the next year, revise, sign, record a
held activity (by hand or from a matching event), and the plan's progress and cadence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from incentive_contracts.events.governance import PlanContent

from ..domain import plan as model
from ..domain.activity import RITUALS_HELD, ActivityFact, RitualSeen
from ..domain.benefit_rules import RuleBook, measure
from ..domain.errors import AlreadyExists
from ..domain.plan import JointPlan
from ..domain.plan_progress import ActivityCadence, CriterionProgress, cadence, criteria_progress
from .aggregates import load, record, require
from .benefits import evaluate_partner
from .kinds import PLANS
from .ports import GovernanceUnit, Page, StreamFilter
from .program_terms import rule_book


@dataclass(frozen=True)
class PlanView:
    plan: JointPlan
    cadence: list[ActivityCadence]
    progress: list[CriterionProgress]


async def draft_plan(unit: GovernanceUnit, command: model.DraftPlan) -> JointPlan:
    loaded = await load(unit, PLANS, command.plan_id, for_update=True)
    return await record(unit, PLANS, loaded, model.decide_draft(loaded.state, command))


async def draft_at_onboarding(unit: GovernanceUnit, partner_id: str, enrolled_on: date) -> JointPlan | None:
    """An empty plan for the enrolment year, unless the partner has one (re-sent enrolments)."""
    command = model.DraftPlan(
        model.onboarding_plan_id(partner_id, enrolled_on.year),
        partner_id,
        enrolled_on.year,
        PlanContent(),
        enrolled_on,
        "onboarding",
    )
    try:
        return await draft_plan(unit, command)
    except AlreadyExists:
        return None


async def extend_plan(
    unit: GovernanceUnit, plan_id: str, new_plan_id: str, *, on: date, by: str, partner_id: str | None
) -> JointPlan:
    previous = await require(unit, PLANS, plan_id, partner_id=partner_id)
    assert previous.state is not None
    old = previous.state
    command = model.DraftPlan(new_plan_id, old.partner_id, old.year + 1, model.extended_content(old.content), on, by)
    return await draft_plan(unit, command)


async def revise_plan(unit: GovernanceUnit, command: model.RevisePlan, *, partner_id: str | None) -> JointPlan:
    loaded = await require(unit, PLANS, command.plan_id, for_update=True, partner_id=partner_id)
    assert loaded.state is not None
    return await record(unit, PLANS, loaded, model.decide_revise(loaded.state, command))


async def sign_plan(unit: GovernanceUnit, command: model.SignPlan, *, partner_id: str | None) -> JointPlan:
    loaded = await require(unit, PLANS, command.plan_id, for_update=True, partner_id=partner_id)
    assert loaded.state is not None
    return await record(unit, PLANS, loaded, model.decide_sign(loaded.state, command))


async def complete_activity(
    unit: GovernanceUnit,
    command: model.CompleteActivity,
    *,
    partner_id: str | None,
    as_of: date,
    book: RuleBook | None = None,
) -> JointPlan:
    """A held ritual also counts for the partner's commitment (``rituals_held``), evaluated as of ``as_of``."""
    loaded = await require(unit, PLANS, command.plan_id, for_update=True, partner_id=partner_id)
    assert loaded.state is not None
    events = model.decide_complete(loaded.state, command)
    plan = await record(unit, PLANS, loaded, events)
    if events:
        fact = ActivityFact(
            f"ritual:{plan.plan_id}:{command.activity_id}",
            plan.partner_id,
            RITUALS_HELD,
            command.completed_on,
            Decimal(1),
        )
        await unit.facts.add([fact])
        await evaluate_partner(unit, plan.partner_id, as_of, book)
    return plan


async def complete_from_event(
    unit: GovernanceUnit, seen: RitualSeen, *, as_of: date, book: RuleBook | None = None
) -> JointPlan | None:
    """An observed ritual completes the matching open activity of the partner's plan for that year."""
    found = await unit.streams.page(
        PLANS.name, StreamFilter(partner_id=seen.partner_id, label=str(seen.on.year)), after=None, limit=1
    )
    if not found.items:
        return None
    plan = PLANS.fold(found.items[0])
    assert plan is not None
    activity = model.matching_activity(plan, seen.kind)
    if activity is None:
        return None
    command = model.CompleteActivity(plan.plan_id, activity.activity_id, seen.on, seen.source)
    return await complete_activity(unit, command, partner_id=None, as_of=as_of, book=book)


async def plan_view(unit: GovernanceUnit, plan_id: str, *, partner_id: str | None) -> PlanView:
    """Cadence as of today; criteria against the partner's activity in the plan's year."""
    loaded = await require(unit, PLANS, plan_id, partner_id=partner_id)
    plan = loaded.state
    assert plan is not None
    raw = await unit.facts.totals(plan.partner_id, date(plan.year, 1, 1), date(plan.year, 12, 31))
    actuals = measure((await rule_book(unit)).in_force(date(plan.year, 12, 31)), raw)
    today = unit.clock.now().date()
    return PlanView(plan, cadence(plan, today), criteria_progress(plan, actuals))


async def list_plans(unit: GovernanceUnit, where: StreamFilter, *, after: int | None, limit: int) -> Page[JointPlan]:
    page = await unit.streams.page(PLANS.name, where, after=after, limit=limit)
    return Page([p for p in (PLANS.fold(events) for events in page.items) if p is not None], page.next_cursor)
