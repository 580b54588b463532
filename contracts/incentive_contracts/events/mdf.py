"""mdf.* events: market development funds (mdf service).

Money that moves travels as :class:`Money`; every payload names the partner (the partition key)
and the fund period (``YYYY-Qn``). A fund is the (partner, period, currency) triple.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from ..money import Money
from ..payload import EventPayload, WireModel
from ..registry import register

FundPeriod = Annotated[str, Field(pattern=r"^[0-9]{4}-Q[1-4]$", description="fund period, e.g. 2026-Q2")]
ActivityType = Annotated[
    str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", description="webinar, field_event, ... or a configured type")
]
Count = Annotated[int, Field(ge=0)]


class ExpectedResults(WireModel):
    """What the partner expects the activity to produce (the plan)."""

    registrations: Count | None = None
    leads: Count | None = None


class CampaignResults(WireModel):
    """What the activity produced (reported with the claim or later, for ROI analysis)."""

    registrations: Count | None = None
    attendees: Count | None = None
    leads: Count | None = None
    opportunities_influenced: Count | None = None


class ProofItem(WireModel):
    """One proof-of-performance document: where it is and the SHA-256 of its content."""

    reference: str = Field(min_length=1, max_length=500)
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the document, lower-case hex")


MilestoneTrigger = Literal["plan_approved", "proof_approved"]


class Milestone(WireModel):
    """A share of the approved amount paid when its trigger happens."""

    name: str = Field(min_length=1, max_length=64)
    trigger: MilestoneTrigger
    percent: Annotated[str, Field(pattern=r"^[0-9]+(\.[0-9]+)?$", description="share of the approved amount, in %")]


@register
class MdfAllocated(EventPayload):
    event_type = "mdf.allocated"
    version = 1

    allocation_id: str
    period: str = Field(pattern=r"^[0-9]{4}-Q[1-4]$")
    amount: Money
    allocated_on: date


@register
class MdfRequestSubmitted(EventPayload):
    """A partner asked for pre-approval of a marketing activity, with its plan and budget."""

    event_type = "mdf.request_submitted"
    version = 1

    request_id: str
    period: FundPeriod
    activity_type: ActivityType
    title: str = Field(min_length=1, max_length=200)
    planned_cost: Money
    requested_amount: Money
    partner_share: str = Field(description="the partner's own share of the planned cost, as a decimal fraction")
    starts_on: date
    ends_on: date
    expected_results: ExpectedResults
    milestones: list[Milestone]
    submitted_on: date
    submitted_by: str = Field(description="the partner user or manager who submitted it")


@register
class MdfRequestApproved(EventPayload):
    """A manager pre-approved a request (possibly for less than asked); the amount is reserved."""

    event_type = "mdf.request_approved"
    version = 1

    request_id: str
    period: FundPeriod
    requested_amount: Money
    approved_amount: Money
    approved_on: date
    approved_by: str
    claim_deadline: date


@register
class MdfRequestRejected(EventPayload):
    event_type = "mdf.request_rejected"
    version = 1

    request_id: str
    period: FundPeriod
    requested_amount: Money
    reason: str = Field(min_length=1, max_length=1000)
    rejected_on: date
    rejected_by: str


@register
class MdfRequestCancelled(EventPayload):
    """A request was cancelled, or lapsed at period close; what it still reserved is released."""

    event_type = "mdf.request_cancelled"
    version = 1

    request_id: str
    period: FundPeriod
    released_amount: Money
    reason: str = Field(min_length=1, max_length=1000)
    lapsed: bool = Field(description="true when the period close lapsed it (claim deadline passed)")
    cancelled_on: date
    cancelled_by: str


@register
class MdfClaimSubmitted(EventPayload):
    """A partner claimed against an approved request, with proof of performance and results."""

    event_type = "mdf.claim_submitted"
    version = 1

    claim_id: str
    request_id: str
    period: FundPeriod
    claimed_amount: Money
    actual_cost: Money
    invoice_ref: str = Field(min_length=1, max_length=200)
    proof: list[ProofItem] = Field(min_length=1)
    results: CampaignResults
    submitted_on: date
    submitted_by: str = Field(description="the partner user or manager who submitted it")


@register
class MdfClaimApproved(EventPayload):
    event_type = "mdf.claim_approved"
    version = 1

    claim_id: str
    request_id: str
    period: str = Field(pattern=r"^[0-9]{4}-Q[1-4]$")
    approved_amount: Money
    approved_on: date


@register
class MdfClaimRejected(EventPayload):
    event_type = "mdf.claim_rejected"
    version = 1

    claim_id: str
    request_id: str
    period: FundPeriod
    claimed_amount: Money
    reason: str = Field(min_length=1, max_length=1000)
    rejected_on: date
    rejected_by: str


@register
class MdfDisbursed(EventPayload):
    """One milestone of an approved request was paid out (never more than was approved in total)."""

    event_type = "mdf.disbursed"
    version = 1

    disbursement_id: str
    request_id: str
    claim_id: str | None = None
    period: FundPeriod
    milestone: str
    trigger: MilestoneTrigger
    amount: Money
    disbursed_on: date


@register
class MdfFundsExpired(EventPayload):
    """Unreserved funds of a closed period expired (at the close, or when released after it)."""

    event_type = "mdf.funds_expired"
    version = 1

    period: FundPeriod
    amount: Money
    reason: str
    expired_on: date


@register
class MdfResultsReported(EventPayload):
    """Campaign results of an activity, with what it cost the program, for ROI analysis."""

    event_type = "mdf.results_reported"
    version = 1

    result_id: str
    request_id: str
    claim_id: str | None = None
    period: FundPeriod
    activity_type: ActivityType
    spend: Money = Field(description="the MDF spent on the activity so far (approved claim or approved request)")
    results: CampaignResults
    reported_on: date


@register
class MdfAccrualClawedBack(EventPayload):
    """The mdf service took back (part of) a reversed MDF accrual from the fund (``ledger.mdf_accrual_reversed``).

    It takes at most what the fund still has available; ``unrecovered`` is what it could not take
    (already reserved or spent). The ledger moves ``amount`` from mdf_available back to the expense.
    """

    event_type = "mdf.accrual_clawed_back"
    version = 1

    deal_id: str
    reversal_entry_id: str = Field(description="the ledger.mdf_accrual_reversed entry id this answers (idempotency)")
    reverses: str = Field(description="the ledger accrual entry the reversal reverses")
    period: FundPeriod
    amount: Money = Field(description="what was taken from the fund (may be zero)")
    requested: Money = Field(description="what the ledger asked to claw back")
    unrecovered: Money = Field(description="requested - amount: could not be taken, the fund had no more available")
    clawed_on: date


@register
class MdfReservationReleased(EventPayload):
    """Money reserved for a request went back to available without a disbursement or cancellation
    (a claim approved for less than was reserved)."""

    event_type = "mdf.reservation_released"
    version = 1

    request_id: str
    claim_id: str | None = None
    period: FundPeriod
    amount: Money
    reason: str = Field(min_length=1, max_length=1000)
    released_on: date


@register
class MdfDisbursementRecovered(EventPayload):
    """Money paid out for a request is taken back into the fund: the claim it paid failed a spot audit
    (``governance.audit_item_failed``, item kind ``mdf_claim``). ``amount`` is everything disbursed for
    the request; the ledger moves it mdf_disbursed -> mdf_available (and, when the period is closed, the
    fund expires it at once with ``mdf.funds_expired``). One per claim: ``recovery_id`` derives from it."""

    event_type = "mdf.disbursement_recovered"
    version = 1

    recovery_id: str = Field(description="derived from the claim: one recovery per failed claim")
    request_id: str
    claim_id: str
    period: FundPeriod
    amount: Money
    reason: str = Field(min_length=1, max_length=1000)
    recovered_on: date
