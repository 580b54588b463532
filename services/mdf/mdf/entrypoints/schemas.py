"""Request and response bodies of the mdf API. Amounts are decimal strings, never floats."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from incentive_contracts.dates import PERIOD_PATTERN as PERIOD_YEARS_1970_2999
from incentive_contracts.dates import BusinessDate
from incentive_contracts.events.mdf import (
    CampaignResults,
    ExpectedResults,
    MdfDisbursed,
    MdfResultsReported,
    ProofItem,
)
from incentive_contracts.money import DecimalString, Money
from pydantic import BaseModel, ConfigDict, Field, field_validator
from servicekit.viewer import ActorName, OptionalActorName

from ..application.ports import AllocationRecord, RequestHistory
from ..domain.budget import ProgramBudget
from ..domain.claim import Claim
from ..domain.fund import Fund
from ..domain.milestones import MilestonePlan, Trigger
from ..domain.period_close import PeriodState
from ..domain.request import MdfRequest

PERIOD_PATTERN = PERIOD_YEARS_1970_2999  # YYYY-Qn, years 1970..2999 (the contracts' date policy)
ID_PATTERN = r"^[A-Za-z0-9._:/-]+$"


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BudgetBody(Body):
    amount: Money


class AllocateBody(Body):
    allocation_id: str = Field(
        default_factory=lambda: _new_id("alloc"), min_length=1, max_length=64, pattern=ID_PATTERN
    )
    partner_id: str = Field(min_length=1, max_length=64)
    period: str = Field(pattern=PERIOD_PATTERN)
    amount: Money


class MilestoneIn(Body):
    name: str = Field(min_length=1, max_length=64)
    trigger: Trigger
    percent: Decimal = Field(gt=0, le=100)

    @field_validator("percent", mode="before")
    @classmethod
    def _no_floats(cls, value: object) -> object:
        if isinstance(value, float):
            raise ValueError("percentages must be decimal strings, never floats")
        return value


class SubmitRequestBody(Body):
    request_id: str = Field(default_factory=lambda: _new_id("mdfreq"), min_length=1, max_length=64, pattern=ID_PATTERN)
    partner_id: str = Field(min_length=1, max_length=64)
    period: str = Field(pattern=PERIOD_PATTERN)
    activity_type: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    planned_cost: Money
    requested_amount: Money
    starts_on: BusinessDate
    ends_on: BusinessDate
    expected_results: ExpectedResults = Field(default_factory=ExpectedResults)
    milestones: list[MilestoneIn] | None = Field(default=None, max_length=10)

    def milestone_plans(self) -> tuple[MilestonePlan, ...] | None:
        if self.milestones is None:
            return None
        return tuple(MilestonePlan(m.name, m.trigger, m.percent) for m in self.milestones)


class ApproveBody(Body):
    amount: Money | None = Field(default=None, description="defaults to the full amount asked for")


class ReasonBody(Body):
    reason: str = Field(min_length=1, max_length=1000)


class CancelBody(Body):
    reason: str = Field(default="cancelled by the requester", min_length=1, max_length=1000)


class SubmitClaimBody(Body):
    claim_id: str = Field(default_factory=lambda: _new_id("claim"), min_length=1, max_length=64, pattern=ID_PATTERN)
    claimed_amount: Money
    actual_cost: Money
    invoice_ref: str = Field(min_length=1, max_length=200)
    proof: list[ProofItem] = Field(min_length=1, max_length=50)
    results: CampaignResults = Field(default_factory=CampaignResults)


class ResultsBody(Body):
    result_id: str = Field(default_factory=lambda: _new_id("res"), min_length=1, max_length=64, pattern=ID_PATTERN)
    results: CampaignResults


class CloseBody(Body):
    as_of: BusinessDate = Field(description="the closing date: claim deadlines before it have passed")


class BudgetOut(BaseModel):
    period: str
    currency: str
    amount: DecimalString
    allocated: DecimalString
    remaining: DecimalString

    @classmethod
    def of(cls, b: ProgramBudget) -> BudgetOut:
        return cls(period=b.period, currency=b.currency, amount=b.amount, allocated=b.allocated, remaining=b.remaining)


class PositionOut(BaseModel):
    """A fund's position: available = allocated + accrued - reserved - disbursed - expired."""

    currency: str
    allocated: DecimalString
    accrued: DecimalString
    reserved: DecimalString
    claimed: DecimalString
    disbursed: DecimalString
    expired: DecimalString
    available: DecimalString

    @classmethod
    def of(cls, f: Fund) -> PositionOut:
        return cls(
            currency=f.currency,
            allocated=f.allocated,
            accrued=f.accrued,
            reserved=f.reserved,
            claimed=f.claimed,
            disbursed=f.disbursed,
            expired=f.expired,
            available=f.available,
        )


class FundPeriodOut(BaseModel):
    partner_id: str
    period: str
    period_status: str
    positions: list[PositionOut]


class AllocationOut(BaseModel):
    allocation_id: str
    partner_id: str
    period: str
    amount: Money
    allocated_on: date
    allocated_by: ActorName

    @classmethod
    def of(cls, a: AllocationRecord) -> AllocationOut:
        return cls(**a.__dict__)


class MilestoneOut(BaseModel):
    name: str
    trigger: str
    percent: DecimalString


class RequestOut(BaseModel):
    request_id: str
    partner_id: str
    period: str
    status: str
    activity_type: str
    title: str
    planned_cost: Money
    requested_amount: Money
    partner_share: DecimalString
    starts_on: date
    ends_on: date
    expected_results: ExpectedResults
    milestones: list[MilestoneOut]
    submitted_on: date
    submitted_by: ActorName
    approved_amount: Money | None
    approved_on: date | None
    approved_by: OptionalActorName
    claim_deadline: date | None
    reserved: Money
    disbursed: Money
    claimed_amount: Money | None
    open_claim_id: str | None
    status_reason: str | None
    status_changed_on: date | None

    @classmethod
    def of(cls, r: MdfRequest) -> RequestOut:
        def m(amount: Decimal | None) -> Money | None:
            return None if amount is None else r.money(amount)

        return cls(
            request_id=r.request_id,
            partner_id=r.partner_id,
            period=r.period,
            status=r.status.value,
            activity_type=r.activity_type,
            title=r.title,
            planned_cost=r.money(r.planned_cost),
            requested_amount=r.money(r.requested_amount),
            partner_share=r.partner_share,
            starts_on=r.starts_on,
            ends_on=r.ends_on,
            expected_results=r.expected,
            milestones=[MilestoneOut(name=x.name, trigger=x.trigger, percent=x.percent) for x in r.milestones],
            submitted_on=r.submitted_on,
            submitted_by=r.submitted_by,
            approved_amount=m(r.approved_amount),
            approved_on=r.approved_on,
            approved_by=r.approved_by,
            claim_deadline=r.claim_deadline,
            reserved=r.money(r.reserved),
            disbursed=r.money(r.disbursed),
            claimed_amount=m(r.claimed_amount),
            open_claim_id=r.open_claim_id,
            status_reason=r.status_reason,
            status_changed_on=r.status_changed_on,
        )


class DisbursementOut(BaseModel):
    disbursement_id: str
    milestone: str
    trigger: str
    claim_id: str | None
    amount: Money
    disbursed_on: date

    @classmethod
    def of(cls, d: MdfDisbursed) -> DisbursementOut:
        return cls(
            disbursement_id=d.disbursement_id,
            milestone=d.milestone,
            trigger=d.trigger,
            claim_id=d.claim_id,
            amount=d.amount,
            disbursed_on=d.disbursed_on,
        )


class ResultsOut(BaseModel):
    result_id: str
    request_id: str
    claim_id: str | None
    spend: Money
    results: CampaignResults
    reported_on: date

    @classmethod
    def of(cls, r: MdfResultsReported) -> ResultsOut:
        return cls(
            result_id=r.result_id,
            request_id=r.request_id,
            claim_id=r.claim_id,
            spend=r.spend,
            results=r.results,
            reported_on=r.reported_on,
        )


class RequestDetailOut(RequestOut):
    disbursements: list[DisbursementOut]
    results: list[ResultsOut]

    @classmethod
    def detail(cls, r: MdfRequest, history: RequestHistory) -> RequestDetailOut:
        return cls(
            **RequestOut.of(r).model_dump(),
            disbursements=[DisbursementOut.of(d) for d in history.disbursements],
            results=[ResultsOut.of(x) for x in history.results],
        )


class ClaimOut(BaseModel):
    claim_id: str
    request_id: str
    partner_id: str
    period: str
    status: str
    partial: bool
    claimed_amount: Money
    actual_cost: Money
    invoice_ref: str
    proof: list[ProofItem]
    results: CampaignResults
    submitted_on: date
    submitted_by: ActorName
    approved_amount: Money | None
    decided_on: date | None
    decided_by: OptionalActorName
    decision_reason: str | None

    @classmethod
    def of(cls, c: Claim) -> ClaimOut:
        return cls(
            claim_id=c.claim_id,
            request_id=c.request_id,
            partner_id=c.partner_id,
            period=c.period,
            status=c.status.value,
            partial=c.partial,
            claimed_amount=Money(amount=c.claimed_amount, currency=c.currency),
            actual_cost=Money(amount=c.actual_cost, currency=c.currency),
            invoice_ref=c.invoice_ref,
            proof=list(c.proof),
            results=c.results,
            submitted_on=c.submitted_on,
            submitted_by=c.submitted_by,
            approved_amount=None if c.approved_amount is None else Money(amount=c.approved_amount, currency=c.currency),
            decided_on=c.decided_on,
            decided_by=c.decided_by,
            decision_reason=c.decision_reason,
        )


class RequestPage(BaseModel):
    items: list[RequestOut]
    next_cursor: str | None


class ClaimPage(BaseModel):
    items: list[ClaimOut]
    next_cursor: str | None


class PeriodOut(BaseModel):
    period: str
    status: str
    closed_on: date | None
    closed_as_of: date | None

    @classmethod
    def of(cls, p: PeriodState) -> PeriodOut:
        return cls(period=p.period, status=p.status.value, closed_on=p.closed_on, closed_as_of=p.closed_as_of)


class CloseOut(PeriodOut):
    lapsed_requests: list[str]
    expired: list[Money]


class ActivityTypeOut(BaseModel):
    activity_type: str
    eligible_tiers: list[str] = Field(description="'*' means every tier")


class PolicyOut(BaseModel):
    activity_types: list[ActivityTypeOut]
    min_partner_share: DecimalString
    claim_window_days: int
    default_tier: str
    default_milestones: list[MilestoneOut]
