"""A claim failed its spot audit (governance's ``audit_item_failed``, item kind ``mdf_claim``).

The mdf service is the single writer of the fund, so it decides what the failure takes back: a claim
still under review is rejected on audit; what is still reserved for its request is released (the
request is cancelled if it was still open for claims, so nothing more is paid for it); everything
disbursed for the request is recovered into the fund (``mdf.disbursement_recovered``, which the ledger
posts mdf_disbursed -> mdf_available). A second failure of the same claim finds nothing left to take
and decides nothing, so a re-sent audit never recovers twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from incentive_contracts.events.mdf import (
    MdfClaimRejected,
    MdfDisbursementRecovered,
    MdfReservationReleased,
)
from incentive_contracts.payload import EventPayload

from .amounts import ZERO, money
from .claim import Claim, ClaimStatus
from .request import MdfRequest, RequestStatus, cancellation


@dataclass(frozen=True)
class FailClaimAudit:
    claim_id: str
    audit_period: str
    reason: str
    failed_on: date
    failed_by: str

    @property
    def explanation(self) -> str:
        return f"spot audit {self.audit_period} failed by {self.failed_by}: {self.reason}"


def recovery_id(claim_id: str) -> str:
    """One recovery per failed claim."""
    return f"audit:{claim_id}"


def decide_fail_claim_audit(claim: Claim, request: MdfRequest, command: FailClaimAudit) -> list[EventPayload]:
    """Reject the claim if pending, release the request's reservation, recover what it paid out."""
    why, on = command.explanation[:1000], command.failed_on
    events: list[EventPayload] = []
    if claim.status == ClaimStatus.SUBMITTED:
        events.append(
            MdfClaimRejected(
                partner_id=claim.partner_id,
                claim_id=claim.claim_id,
                request_id=claim.request_id,
                period=claim.period,
                claimed_amount=money(claim.claimed_amount, claim.currency),
                reason=why,
                rejected_on=on,
                rejected_by=command.failed_by,
            )
        )
    if request.status == RequestStatus.APPROVED:
        events.append(cancellation(request, why, on=on, by=command.failed_by, lapsed=False))
    elif request.reserved > ZERO:
        events.append(
            MdfReservationReleased(
                partner_id=request.partner_id,
                request_id=request.request_id,
                claim_id=claim.claim_id,
                period=request.period,
                amount=request.money(request.reserved),
                reason=why,
                released_on=on,
            )
        )
    if request.disbursed > ZERO:
        events.append(
            MdfDisbursementRecovered(
                partner_id=request.partner_id,
                recovery_id=recovery_id(claim.claim_id),
                request_id=request.request_id,
                claim_id=claim.claim_id,
                period=request.period,
                amount=request.money(request.disbursed),
                reason=why,
                recovered_on=on,
            )
        )
    return events
