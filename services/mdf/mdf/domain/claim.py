"""The claim aggregate: proof of performance against an approved request; approve (fully or
partly) or reject. Approval pays the proof milestones and reports the results.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from incentive_contracts.events.mdf import (
    CampaignResults,
    MdfClaimApproved,
    MdfClaimRejected,
    MdfClaimSubmitted,
    MdfReservationReleased,
    MdfResultsReported,
    ProofItem,
)
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload

from .amounts import money, percent, show, show_at_most
from .errors import AlreadyExists, InvalidTransition, Violation, raise_if_any
from .policy import MdfPolicy
from .request import MdfRequest, RequestStatus, disbursements, require_status
from .rules import positive_amount, same_currency


class ClaimStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Claim:
    claim_id: str
    request_id: str
    partner_id: str
    period: str
    currency: str
    claimed_amount: Decimal
    actual_cost: Decimal
    invoice_ref: str
    proof: tuple[ProofItem, ...]
    results: CampaignResults
    submitted_on: date
    submitted_by: str
    status: ClaimStatus = ClaimStatus.SUBMITTED
    approved_amount: Decimal | None = None
    decided_on: date | None = None
    decided_by: str | None = None
    decision_reason: str | None = None

    @property
    def partial(self) -> bool:
        return self.approved_amount is not None and self.approved_amount < self.claimed_amount


@dataclass(frozen=True)
class SubmitClaim:
    claim_id: str
    request_id: str
    claimed_amount: Money
    actual_cost: Money
    invoice_ref: str
    proof: tuple[ProofItem, ...]
    results: CampaignResults
    submitted_on: date
    submitted_by: str


@dataclass(frozen=True)
class ApproveClaim:
    claim_id: str
    amount: Money | None
    approved_on: date
    approved_by: str


@dataclass(frozen=True)
class RejectClaim:
    claim_id: str
    reason: str
    rejected_on: date
    rejected_by: str


def decide_submit_claim(
    existing: Claim | None, request: MdfRequest, command: SubmitClaim, *, policy: MdfPolicy
) -> list[EventPayload]:
    if existing is not None:
        raise AlreadyExists(f"claim {command.claim_id} already exists")
    require_status(request, "be claimed against", RequestStatus.APPROVED)
    if request.open_claim_id is not None:
        raise InvalidTransition(f"claim {request.open_claim_id} on request {request.request_id} is still under review")
    claimed, cost = command.claimed_amount, command.actual_cost
    currency = request.currency
    found: list[Violation] = []
    found += positive_amount("the claimed amount", claimed) + positive_amount("the actual cost", cost)
    found += same_currency("the claimed amount", claimed, currency) + same_currency("the actual cost", cost, currency)
    approved = request.approved_amount or Decimal(0)
    if claimed.amount > approved:
        found.append(Violation("claim_above_approved", f"the claim exceeds the {show(approved, currency)} approved"))
    if cost.currency == currency and claimed.amount > policy.max_funded(cost.amount):
        found.append(
            Violation(
                "claim_share_too_low",
                f"the partner must carry at least {percent(policy.min_partner_share)} of the actual cost: "
                f"claim at most "
                f"{show_at_most(policy.max_funded(cost.amount), currency)}",
            )
        )
    found += _timing_violations(request, command.submitted_on)
    if not command.proof:
        found.append(Violation("proof_missing", "a claim needs at least one proof-of-performance item"))
    raise_if_any(found)
    return [
        MdfClaimSubmitted(
            partner_id=request.partner_id,
            claim_id=command.claim_id,
            request_id=request.request_id,
            period=request.period,
            claimed_amount=claimed,
            actual_cost=cost,
            invoice_ref=command.invoice_ref,
            proof=list(command.proof),
            results=command.results,
            submitted_on=command.submitted_on,
            submitted_by=command.submitted_by,
        )
    ]


def _timing_violations(request: MdfRequest, submitted_on: date) -> list[Violation]:
    if submitted_on < request.ends_on:
        return [Violation("claim_too_early", f"claims open once the activity ends on {request.ends_on.isoformat()}")]
    if request.claim_deadline is not None and submitted_on > request.claim_deadline:
        return [Violation("claim_deadline_passed", f"the claim deadline was {request.claim_deadline.isoformat()}")]
    return []


def require_pending(claim: Claim, action: str) -> None:
    if claim.status != ClaimStatus.SUBMITTED:
        raise InvalidTransition(f"claim {claim.claim_id} is {claim.status}; it cannot {action}")


def decide_approve_claim(claim: Claim, request: MdfRequest, command: ApproveClaim) -> list[EventPayload]:
    require_pending(claim, "be approved")
    amount = command.amount or money(claim.claimed_amount, claim.currency)
    currency = claim.currency
    found = positive_amount("the approved amount", amount) + same_currency("the approved amount", amount, currency)
    if amount.amount > claim.claimed_amount:
        found.append(
            Violation(
                "approved_above_claimed", f"cannot approve more than the {show(claim.claimed_amount, currency)} claimed"
            )
        )
    if amount.amount < request.disbursed:
        found.append(
            Violation(
                "claim_below_disbursed",
                f"{show(request.disbursed, currency)} was already paid at plan approval; approve at least that",
            )
        )
    raise_if_any(found)
    approved = MdfClaimApproved(
        partner_id=claim.partner_id,
        claim_id=claim.claim_id,
        request_id=claim.request_id,
        period=claim.period,
        approved_amount=amount,
        approved_on=command.approved_on,
    )
    # What the claim does not use of the reservation goes back to available, as an event the ledger
    # applies too (the ledger would otherwise keep it reserved).
    unused = request.reserved - (amount.amount - request.disbursed)
    released = [_released(claim, request, amount, unused, command.approved_on)] if unused > 0 else []
    paid = disbursements(
        request,
        "proof_approved",
        base=amount.amount,
        already_paid=request.disbursed,
        on=command.approved_on,
        claim_id=claim.claim_id,
    )
    reported = MdfResultsReported(
        partner_id=claim.partner_id,
        result_id=claim.claim_id,
        request_id=claim.request_id,
        claim_id=claim.claim_id,
        period=claim.period,
        activity_type=request.activity_type,
        spend=amount,
        results=claim.results,
        reported_on=command.approved_on,
    )
    return [approved, *released, *paid, reported]


def _released(claim: Claim, request: MdfRequest, amount: Money, unused: Decimal, on: date) -> MdfReservationReleased:
    return MdfReservationReleased(
        partner_id=claim.partner_id,
        request_id=claim.request_id,
        claim_id=claim.claim_id,
        period=claim.period,
        amount=money(unused, claim.currency),
        reason=(
            f"claim {claim.claim_id} approved for {show(amount.amount, claim.currency)} of the "
            f"{show(request.reserved + request.disbursed, claim.currency)} approved"
        ),
        released_on=on,
    )


def decide_reject_claim(claim: Claim, command: RejectClaim) -> list[EventPayload]:
    require_pending(claim, "be rejected")
    return [
        MdfClaimRejected(
            partner_id=claim.partner_id,
            claim_id=claim.claim_id,
            request_id=claim.request_id,
            period=claim.period,
            claimed_amount=money(claim.claimed_amount, claim.currency),
            reason=command.reason,
            rejected_on=command.rejected_on,
            rejected_by=command.rejected_by,
        )
    ]


def evolve_claim(state: Claim | None, event: EventPayload) -> Claim | None:
    if isinstance(event, MdfClaimSubmitted):
        return Claim(
            claim_id=event.claim_id,
            request_id=event.request_id,
            partner_id=event.partner_id,
            period=event.period,
            currency=event.claimed_amount.currency,
            claimed_amount=event.claimed_amount.amount,
            actual_cost=event.actual_cost.amount,
            invoice_ref=event.invoice_ref,
            proof=tuple(event.proof),
            results=event.results,
            submitted_on=event.submitted_on,
            submitted_by=event.submitted_by,
        )
    if state is None:
        return None
    if isinstance(event, MdfClaimApproved):
        return replace(
            state,
            status=ClaimStatus.APPROVED,
            approved_amount=event.approved_amount.amount,
            decided_on=event.approved_on,
        )
    if isinstance(event, MdfClaimRejected):
        return replace(
            state,
            status=ClaimStatus.REJECTED,
            decided_on=event.rejected_on,
            decided_by=event.rejected_by,
            decision_reason=event.reason,
        )
    return state
