"""A claim failed its spot audit: given the request and claim, when the failure, then the events that
give the money back (worked by hand on a 5 000.00 EUR request paying 50 % at plan, 50 % at proof)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from incentive_contracts.events.mdf import (
    MdfClaimRejected,
    MdfDisbursementRecovered,
    MdfRequestCancelled,
    MdfReservationReleased,
)
from mdf.domain.audit import FailClaimAudit, decide_fail_claim_audit, recovery_id
from mdf.domain.claim import ApproveClaim, ClaimStatus, decide_approve_claim, evolve_claim
from mdf.domain.fund import Fund, evolve_fund
from mdf.domain.request import RequestStatus
from mdf_builders import PLAN_AND_PROOF, approved, claimed, fold

D = Decimal
FAILED = FailClaimAudit("c1", "2026-Q2", "the invoice does not match the activity", date(2026, 7, 2), "auditor")


def test_a_pending_claim_is_rejected_its_reservation_released_and_its_plan_payout_recovered():
    # given a 5 000.00 request approved with 2 500.00 paid at plan, 2 500.00 still reserved, a claim pending
    claim, request = claimed(approved(milestones=PLAN_AND_PROOF))
    assert (request.reserved, request.disbursed) == (D("2500.00"), D("2500.00"))
    # when the claim fails its audit
    events = decide_fail_claim_audit(claim, request, FAILED)
    # then the claim is rejected, the request cancelled (2 500.00 released) and 2 500.00 recovered
    rejected, cancelled, recovered = events
    assert isinstance(rejected, MdfClaimRejected)
    assert "spot audit 2026-Q2 failed by auditor" in rejected.reason
    assert isinstance(cancelled, MdfRequestCancelled)
    assert cancelled.released_amount.amount == D("2500.00")
    assert isinstance(recovered, MdfDisbursementRecovered)
    assert (recovered.amount.amount, recovered.recovery_id, recovered.claim_id) == (D("2500.00"), "audit:c1", "c1")
    after = fold(request, events)
    assert (after.status, after.reserved, after.disbursed) == (RequestStatus.CANCELLED, D(0), D(0))
    assert evolve_claim(claim, rejected).status == ClaimStatus.REJECTED  # type: ignore[union-attr]


def test_an_approved_claim_gives_back_everything_paid_for_its_request():
    # given a claim approved in full: 2 500.00 paid at plan and 2 500.00 at proof, nothing left reserved
    claim, request = claimed(approved(milestones=PLAN_AND_PROOF))
    decided = decide_approve_claim(claim, request, ApproveClaim("c1", None, date(2026, 5, 25), "manager"))
    request = fold(request, decided)
    for event in decided:
        claim = evolve_claim(claim, event) or claim
    assert (request.status, request.reserved, request.disbursed) == (RequestStatus.COMPLETED, D(0), D("5000.00"))
    # when it fails its audit, then only the payout is recovered: 5 000.00
    [recovered] = decide_fail_claim_audit(claim, request, FAILED)
    assert isinstance(recovered, MdfDisbursementRecovered)
    assert recovered.amount.amount == D("5000.00")
    assert recovered.recovery_id == recovery_id("c1")


def test_a_completed_request_still_holding_a_reservation_releases_it():
    claim, request = claimed(approved(milestones=PLAN_AND_PROOF))
    holding = replace(request, status=RequestStatus.COMPLETED, reserved=D("300.00"), disbursed=D("0"))
    approved_claim = replace(claim, status=ClaimStatus.APPROVED)
    [released] = decide_fail_claim_audit(approved_claim, holding, FAILED)
    assert isinstance(released, MdfReservationReleased)
    assert released.amount.amount == D("300.00")


def test_a_second_failure_of_the_same_claim_takes_nothing_more():
    claim, request = claimed(approved(milestones=PLAN_AND_PROOF))
    events = decide_fail_claim_audit(claim, request, FAILED)
    after_request = fold(request, events)
    after_claim = claim
    for event in events:
        after_claim = evolve_claim(after_claim, event) or after_claim
    assert decide_fail_claim_audit(after_claim, after_request, FAILED) == []


def test_the_fund_gets_the_recovered_payout_back_as_available():
    fund = Fund("p1", "2026-Q2", "EUR", allocated=D("10000.00"), disbursed=D("2500.00"))
    claim, request = claimed(approved(milestones=PLAN_AND_PROOF))
    recovered = decide_fail_claim_audit(claim, request, FAILED)[-1]
    after = evolve_fund(fund, recovered)
    assert (after.disbursed, after.available) == (D(0), D("10000.00"))
