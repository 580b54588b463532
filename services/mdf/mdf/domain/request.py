"""The MDF request (pre-approval) aggregate: submit, approve, reject, cancel, lapse.

decide_*(state, command, ...) -> events; evolve_request(state, event) -> state. Approval reserves
the approved amount (and may pay plan milestones); cancellation and lapsing release what is left.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from incentive_contracts.events.mdf import (
    ExpectedResults,
    MdfClaimApproved,
    MdfClaimRejected,
    MdfClaimSubmitted,
    MdfDisbursed,
    MdfDisbursementRecovered,
    MdfRequestApproved,
    MdfRequestCancelled,
    MdfRequestRejected,
    MdfRequestSubmitted,
    MdfReservationReleased,
    Milestone,
)
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload

from .amounts import ZERO, money, percent, show, show_at_most
from .errors import AlreadyExists, InvalidTransition, Violation, raise_if_any
from .milestones import MilestonePlan, Trigger, due_disbursements, milestone_violations
from .periods import Period
from .policy import MdfPolicy
from .rules import activity_violations, period_closed, positive_amount, same_currency, within_available

SHARE_QUANTUM = Decimal("0.0001")


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    LAPSED = "lapsed"
    COMPLETED = "completed"


ALLOWED_ACTIONS: dict[RequestStatus, list[str]] = {
    RequestStatus.SUBMITTED: ["approve", "reject", "cancel"],
    RequestStatus.APPROVED: ["claim", "cancel", "report_results"],
    RequestStatus.COMPLETED: ["report_results"],
    RequestStatus.REJECTED: [],
    RequestStatus.CANCELLED: [],
    RequestStatus.LAPSED: [],
}


@dataclass(frozen=True)
class MdfRequest:
    request_id: str
    partner_id: str
    period: str
    currency: str
    activity_type: str
    title: str
    planned_cost: Decimal
    requested_amount: Decimal
    partner_share: Decimal
    starts_on: date
    ends_on: date
    expected: ExpectedResults
    milestones: tuple[MilestonePlan, ...]
    submitted_on: date
    submitted_by: str
    status: RequestStatus = RequestStatus.SUBMITTED
    approved_amount: Decimal | None = None
    approved_on: date | None = None
    approved_by: str | None = None
    claim_deadline: date | None = None
    reserved: Decimal = ZERO
    disbursed: Decimal = ZERO
    claimed_amount: Decimal | None = None
    open_claim_id: str | None = None
    status_reason: str | None = None
    status_changed_on: date | None = None

    def money(self, amount: Decimal) -> Money:
        return money(amount, self.currency)


@dataclass(frozen=True)
class SubmitRequest:
    request_id: str
    partner_id: str
    period: str
    activity_type: str
    title: str
    planned_cost: Money
    requested_amount: Money
    starts_on: date
    ends_on: date
    expected: ExpectedResults
    milestones: tuple[MilestonePlan, ...] | None
    submitted_on: date
    submitted_by: str


@dataclass(frozen=True)
class ApproveRequest:
    request_id: str
    amount: Money | None
    approved_on: date
    approved_by: str


@dataclass(frozen=True)
class RejectRequest:
    request_id: str
    reason: str
    rejected_on: date
    rejected_by: str


@dataclass(frozen=True)
class CancelRequest:
    request_id: str
    reason: str
    cancelled_on: date
    cancelled_by: str


def require_status(state: MdfRequest, action: str, *allowed: RequestStatus) -> None:
    if state.status not in allowed:
        raise InvalidTransition(
            f"request {state.request_id} is {state.status}; it cannot {action}", ALLOWED_ACTIONS[state.status]
        )


def decide_submit(
    state: MdfRequest | None,
    command: SubmitRequest,
    *,
    available: Decimal,
    tier: str | None,
    closed: bool,
    policy: MdfPolicy,
) -> list[EventPayload]:
    if state is not None:
        raise AlreadyExists(f"request {command.request_id} already exists")
    requested, planned = command.requested_amount, command.planned_cost
    currency = requested.currency
    found: list[Violation] = []
    if closed:
        found.append(period_closed(command.period))
    found += positive_amount("the planned cost", planned) + positive_amount("the requested amount", requested)
    found += same_currency("the planned cost", planned, currency)
    found += activity_violations(command.activity_type, tier, policy)
    found += _date_violations(command)
    if planned.currency == currency and planned.amount > ZERO and requested.amount > policy.max_funded(planned.amount):
        found.append(
            Violation(
                "partner_share_too_low",
                f"the partner must fund at least {percent(policy.min_partner_share)} of the planned cost: "
                f"request at most "
                f"{show_at_most(policy.max_funded(planned.amount), currency)}",
            )
        )
    found += within_available(requested.amount, available, currency)
    milestones = command.milestones or policy.default_milestones
    found += milestone_violations(milestones)
    raise_if_any(found)
    share = ((planned.amount - requested.amount) / planned.amount).quantize(SHARE_QUANTUM, rounding=ROUND_HALF_EVEN)
    return [
        MdfRequestSubmitted(
            partner_id=command.partner_id,
            request_id=command.request_id,
            period=command.period,
            activity_type=command.activity_type,
            title=command.title,
            planned_cost=planned,
            requested_amount=requested,
            partner_share=format(share, "f"),
            starts_on=command.starts_on,
            ends_on=command.ends_on,
            expected_results=command.expected,
            milestones=[Milestone(name=m.name, trigger=m.trigger, percent=format(m.percent, "f")) for m in milestones],
            submitted_on=command.submitted_on,
            submitted_by=command.submitted_by,
        )
    ]


def _date_violations(command: SubmitRequest) -> list[Violation]:
    found: list[Violation] = []
    if command.ends_on < command.starts_on:
        found.append(Violation("dates_invalid", "the activity cannot end before it starts"))
    if not Period.parse(command.period).contains(command.starts_on):
        found.append(Violation("activity_outside_period", f"the activity must start within {command.period}"))
    if command.starts_on < command.submitted_on:
        found.append(
            Violation("activity_already_started", "requests need pre-approval: the activity must not have started")
        )
    return found


def decide_approve(
    state: MdfRequest, command: ApproveRequest, *, available: Decimal, closed: bool, policy: MdfPolicy
) -> list[EventPayload]:
    require_status(state, "be approved", RequestStatus.SUBMITTED)
    amount = command.amount or state.money(state.requested_amount)
    found: list[Violation] = []
    if closed:
        found.append(period_closed(state.period))
    found += positive_amount("the approved amount", amount) + same_currency(
        "the approved amount", amount, state.currency
    )
    if amount.amount > state.requested_amount:
        found.append(
            Violation(
                "approved_above_requested",
                f"cannot approve more than the {show(state.requested_amount, state.currency)} requested",
            )
        )
    found += within_available(amount.amount, available, state.currency)
    raise_if_any(found)
    approved: list[EventPayload] = [
        MdfRequestApproved(
            partner_id=state.partner_id,
            request_id=state.request_id,
            period=state.period,
            requested_amount=state.money(state.requested_amount),
            approved_amount=amount,
            approved_on=command.approved_on,
            approved_by=command.approved_by,
            claim_deadline=state.ends_on + timedelta(days=policy.claim_window_days),
        )
    ]
    return approved + disbursements(
        state, "plan_approved", base=amount.amount, already_paid=ZERO, on=command.approved_on, claim_id=None
    )


def disbursements(
    state: MdfRequest, trigger: Trigger, *, base: Decimal, already_paid: Decimal, on: date, claim_id: str | None
) -> list[EventPayload]:
    """One mdf.disbursed per milestone of ``trigger`` that pays something now."""
    return [
        MdfDisbursed(
            partner_id=state.partner_id,
            disbursement_id=f"{state.request_id}/{milestone.name}",
            request_id=state.request_id,
            claim_id=claim_id,
            period=state.period,
            milestone=milestone.name,
            trigger=milestone.trigger,
            amount=state.money(amount),
            disbursed_on=on,
        )
        for milestone, amount in due_disbursements(
            state.milestones, trigger, base=base, already_paid=already_paid, currency=state.currency
        )
    ]


def decide_reject(state: MdfRequest, command: RejectRequest) -> list[EventPayload]:
    require_status(state, "be rejected", RequestStatus.SUBMITTED)
    return [
        MdfRequestRejected(
            partner_id=state.partner_id,
            request_id=state.request_id,
            period=state.period,
            requested_amount=state.money(state.requested_amount),
            reason=command.reason,
            rejected_on=command.rejected_on,
            rejected_by=command.rejected_by,
        )
    ]


def decide_cancel(state: MdfRequest, command: CancelRequest) -> list[EventPayload]:
    require_status(state, "be cancelled", RequestStatus.SUBMITTED, RequestStatus.APPROVED)
    if state.open_claim_id is not None:
        raise InvalidTransition(
            f"request {state.request_id} has claim {state.open_claim_id} under review; it cannot be cancelled",
            [],
        )
    return [cancellation(state, command.reason, on=command.cancelled_on, by=command.cancelled_by, lapsed=False)]


def decide_lapse(state: MdfRequest, *, as_of: date, by: str) -> list[EventPayload]:
    """At period close: unapproved requests lapse, and so do approved ones whose claim deadline passed
    with no claim under review."""
    if state.status == RequestStatus.SUBMITTED:
        return [cancellation(state, f"period {state.period} closed before approval", on=as_of, by=by, lapsed=True)]
    deadline = state.claim_deadline
    if state.status == RequestStatus.APPROVED and state.open_claim_id is None and deadline and deadline < as_of:
        reason = f"claim deadline {deadline.isoformat()} passed without an approved claim"
        return [cancellation(state, reason, on=as_of, by=by, lapsed=True)]
    return []


def cancellation(state: MdfRequest, reason: str, *, on: date, by: str, lapsed: bool) -> MdfRequestCancelled:
    return MdfRequestCancelled(
        partner_id=state.partner_id,
        request_id=state.request_id,
        period=state.period,
        released_amount=state.money(state.reserved),
        reason=reason,
        lapsed=lapsed,
        cancelled_on=on,
        cancelled_by=by,
    )


def evolve_request(state: MdfRequest | None, event: EventPayload) -> MdfRequest | None:
    if isinstance(event, MdfRequestSubmitted):
        return _submitted(event)
    if state is None:
        return None
    if isinstance(event, MdfRequestApproved):
        amount = event.approved_amount.amount
        return replace(
            state,
            status=RequestStatus.APPROVED,
            approved_amount=amount,
            approved_on=event.approved_on,
            approved_by=event.approved_by,
            claim_deadline=event.claim_deadline,
            reserved=amount,
            status_changed_on=event.approved_on,
        )
    if isinstance(event, MdfRequestRejected):
        return replace(
            state, status=RequestStatus.REJECTED, status_reason=event.reason, status_changed_on=event.rejected_on
        )
    if isinstance(event, MdfRequestCancelled):
        return replace(
            state,
            status=RequestStatus.LAPSED if event.lapsed else RequestStatus.CANCELLED,
            reserved=state.reserved - event.released_amount.amount,
            status_reason=event.reason,
            status_changed_on=event.cancelled_on,
        )
    if isinstance(event, MdfClaimSubmitted):
        return replace(state, open_claim_id=event.claim_id)
    if isinstance(event, MdfClaimRejected):
        return replace(state, open_claim_id=None)
    if isinstance(event, MdfClaimApproved):
        claimed = event.approved_amount.amount
        return replace(
            state,
            status=RequestStatus.COMPLETED,
            claimed_amount=claimed,
            open_claim_id=None,
            status_changed_on=event.approved_on,
        )
    if isinstance(event, MdfReservationReleased):
        return replace(state, reserved=state.reserved - event.amount.amount)
    if isinstance(event, MdfDisbursed):
        return replace(
            state, reserved=state.reserved - event.amount.amount, disbursed=state.disbursed + event.amount.amount
        )
    if isinstance(event, MdfDisbursementRecovered):  # disbursed is net of recoveries
        return replace(state, disbursed=state.disbursed - event.amount.amount)
    return state


def _submitted(event: MdfRequestSubmitted) -> MdfRequest:
    return MdfRequest(
        request_id=event.request_id,
        partner_id=event.partner_id,
        period=event.period,
        currency=event.requested_amount.currency,
        activity_type=event.activity_type,
        title=event.title,
        planned_cost=event.planned_cost.amount,
        requested_amount=event.requested_amount.amount,
        partner_share=Decimal(event.partner_share),
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        expected=event.expected_results,
        milestones=tuple(MilestonePlan(m.name, m.trigger, Decimal(m.percent)) for m in event.milestones),
        submitted_on=event.submitted_on,
        submitted_by=event.submitted_by,
        status_changed_on=event.submitted_on,
    )
