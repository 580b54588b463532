"""Request and response bodies of the joint-plan routes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from incentive_contracts.dates import BusinessDate
from incentive_contracts.events.governance import (
    ActivityKind,
    Metric,
    PlanActivity,
    PlanContent,
    PlanSide,
    Quantity,
    SuccessCriterion,
)
from pydantic import BaseModel, ConfigDict, Field
from servicekit.viewer import ActorName

from ..application.plans import PlanView
from ..domain.plan import JointPlan
from ..domain.plan_progress import Cadence, summarize

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
Label = Field(min_length=1, max_length=200)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ActivityIn(Body):
    activity_id: str = Field(pattern=ID_PATTERN)
    kind: ActivityKind
    title: str = Label
    partner_owner: str = Label
    vendor_owner: str = Label
    due_on: BusinessDate


class CriterionIn(Body):
    criterion_id: str = Field(pattern=ID_PATTERN)
    metric: Metric
    target: Quantity
    description: str = Field(default="", max_length=500)


class ContentIn(Body):
    target_segments: list[str] = Field(default_factory=list, max_length=50)
    value_propositions: list[str] = Field(default_factory=list, max_length=50)
    co_branded_materials: list[str] = Field(default_factory=list, max_length=50)
    activities: list[ActivityIn] = Field(default_factory=list, max_length=200)
    criteria: list[CriterionIn] = Field(default_factory=list, max_length=50)

    def content(self) -> PlanContent:
        return PlanContent(
            target_segments=[s.strip() for s in self.target_segments if s.strip()],
            value_propositions=[s.strip() for s in self.value_propositions if s.strip()],
            co_branded_materials=[s.strip() for s in self.co_branded_materials if s.strip()],
            activities=[PlanActivity.model_validate(a.model_dump()) for a in self.activities],
            criteria=[SuccessCriterion.model_validate(c.model_dump()) for c in self.criteria],
        )


class DraftPlanBody(ContentIn):
    plan_id: str = Field(pattern=ID_PATTERN)
    partner_id: str = Field(min_length=1, max_length=64)
    year: int = Field(ge=1970, le=2999)


class ExtendPlanBody(Body):
    plan_id: str = Field(pattern=ID_PATTERN, description="the id of next year's plan")


class SignBody(Body):
    plan_version: int = Field(ge=1)
    side: PlanSide | None = Field(default=None, description="staff sign for the vendor; a partner for itself")


class CompleteBody(Body):
    completed_on: BusinessDate


class SignatureOut(BaseModel):
    side: PlanSide
    signed_by: ActorName


class PlanOut(BaseModel):
    plan_id: str
    partner_id: str
    year: int
    plan_version: int
    status: str
    signatures: list[SignatureOut]
    signed_versions: list[int]
    content: PlanContent

    @classmethod
    def of(cls, plan: JointPlan) -> PlanOut:
        return cls(
            plan_id=plan.plan_id,
            partner_id=plan.partner_id,
            year=plan.year,
            plan_version=plan.plan_version,
            status=plan.status,
            signatures=[SignatureOut(side=s, signed_by=w) for s, w in sorted(plan.signatures.items())],
            signed_versions=list(plan.signed_versions),
            content=plan.content,
        )


class CadenceOut(BaseModel):
    activity_id: str
    kind: ActivityKind
    title: str
    due_on: date
    state: Cadence
    completed_on: date | None


class CriterionOut(BaseModel):
    criterion_id: str
    metric: str
    target: Decimal
    actual: Decimal
    percent: Decimal
    met: bool


class CadenceTotals(BaseModel):
    held_on_time: int
    held_late: int
    missed: int
    upcoming: int


class PlanDetailOut(PlanOut):
    cadence: list[CadenceOut]
    cadence_totals: CadenceTotals
    criteria_progress: list[CriterionOut]

    @classmethod
    def detail(cls, view: PlanView) -> PlanDetailOut:
        totals = summarize(view.cadence)
        return cls(
            **PlanOut.of(view.plan).model_dump(),
            cadence=[
                CadenceOut(
                    activity_id=c.activity.activity_id,
                    kind=c.activity.kind,
                    title=c.activity.title,
                    due_on=c.activity.due_on,
                    state=c.state,
                    completed_on=c.completed_on,
                )
                for c in view.cadence
            ],
            cadence_totals=CadenceTotals(
                held_on_time=totals.held_on_time,
                held_late=totals.held_late,
                missed=totals.missed,
                upcoming=totals.upcoming,
            ),
            criteria_progress=[
                CriterionOut(
                    criterion_id=p.criterion.criterion_id,
                    metric=p.criterion.metric,
                    target=Decimal(p.criterion.target),
                    actual=p.actual,
                    percent=p.percent,
                    met=p.met,
                )
                for p in view.progress
            ],
        )


class PlanPage(BaseModel):
    items: list[PlanOut]
    next_cursor: str | None
