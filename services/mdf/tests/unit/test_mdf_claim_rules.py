from datetime import date
from decimal import Decimal

import pytest
from incentive_contracts.events.mdf import MdfClaimApproved, MdfDisbursed, MdfResultsReported
from mdf.domain.claim import (
    ApproveClaim,
    ClaimStatus,
    RejectClaim,
    decide_approve_claim,
    decide_reject_claim,
    decide_submit_claim,
    evolve_claim,
)
from mdf.domain.errors import AlreadyExists, InvalidTransition, RuleViolation
from mdf.domain.request import RequestStatus
from mdf_builders import PLAN_AND_PROOF, POLICY, approved, claim_command, claimed, eur, fold, submitted


def claim_violations(request=None, **changes) -> list[str]:
    with pytest.raises(RuleViolation) as raised:
        decide_submit_claim(None, request or approved(), claim_command(**changes), policy=POLICY)
    return raised.value.rules


def test_a_claim_with_proof_is_submitted_and_held_open_on_the_request():
    claim, request = claimed(approved())
    assert (claim.status, claim.claimed_amount, claim.invoice_ref) == (
        ClaimStatus.SUBMITTED,
        Decimal("5000.00"),
        "INV-1",
    )
    assert request.open_claim_id == "c1"


def test_claims_need_an_approved_request_with_no_other_claim_pending():
    with pytest.raises(InvalidTransition):
        decide_submit_claim(None, submitted(), claim_command(), policy=POLICY)
    _, request = claimed(approved())
    with pytest.raises(InvalidTransition, match="under review"):
        decide_submit_claim(None, request, claim_command(claim_id="c2"), policy=POLICY)
    claim, _ = claimed(approved())
    with pytest.raises(AlreadyExists):
        decide_submit_claim(claim, approved(), claim_command(), policy=POLICY)


def test_claim_cannot_exceed_the_approved_amount():
    assert claim_violations(approved("4000.00"), claimed_amount=eur("4000.01")) == ["claim_above_approved"]


def test_claim_must_respect_the_partners_share_of_the_actual_cost():
    # The activity cost 7000: MDF pays at most half, 3500.
    assert claim_violations(claimed_amount=eur("3500.01"), actual_cost=eur("7000.00")) == ["claim_share_too_low"]
    assert decide_submit_claim(
        None, approved(), claim_command(claimed_amount=eur("3500.00"), actual_cost=eur("7000.00")), policy=POLICY
    )


def test_claim_window_opens_when_the_activity_ends_and_closes_after_n_days():
    assert claim_violations(submitted_on=date(2026, 5, 7)) == ["claim_too_early"]
    assert decide_submit_claim(None, approved(), claim_command(submitted_on=date(2026, 5, 8)), policy=POLICY)
    assert decide_submit_claim(None, approved(), claim_command(submitted_on=date(2026, 7, 7)), policy=POLICY)
    assert claim_violations(submitted_on=date(2026, 7, 8)) == ["claim_deadline_passed"]


def test_claim_needs_proof_positive_amounts_and_the_request_currency():
    assert claim_violations(proof=()) == ["proof_missing"]
    usd = eur("100").model_copy(update={"currency": "USD"})
    assert "currency_mismatch" in claim_violations(claimed_amount=usd)
    assert "amount_not_positive" in claim_violations(claimed_amount=eur("0"))


def approve(claim, request, amount=None):
    command = ApproveClaim(claim.claim_id, eur(amount) if amount else None, date(2026, 5, 25), "mgr")
    return decide_approve_claim(claim, request, command)


def test_full_approval_pays_the_proof_milestone_and_reports_results():
    claim, request = claimed(approved())
    events = approve(claim, request)
    assert [type(e) for e in events] == [MdfClaimApproved, MdfDisbursed, MdfResultsReported]
    assert events[1].amount == eur("5000.00")
    assert events[1].claim_id == "c1"
    assert events[2].spend == eur("5000.00")
    assert events[2].results.leads == 45
    done = fold(request, events)
    assert (done.status, done.reserved, done.disbursed) == (
        RequestStatus.COMPLETED,
        Decimal("0.00"),
        Decimal("5000.00"),
    )


def test_partial_approval_pays_less_and_frees_the_rest_of_the_reservation():
    # approved 5000 with 50/50 milestones: 2500 paid on the plan; claim of 5000 approved for 4200 -> 1700 more.
    claim, request = claimed(approved(milestones=PLAN_AND_PROOF))
    events = approve(claim, request, "4200.00")
    paid = [e.amount for e in events if isinstance(e, MdfDisbursed)]
    assert paid == [eur("1700.00")]
    done = fold(request, events)
    assert (done.disbursed, done.reserved, done.claimed_amount) == (
        Decimal("4200.00"),
        Decimal("0.00"),
        Decimal("4200.00"),
    )
    assert evolve_claim(claim, events[0]).partial


def test_approval_cannot_exceed_the_claim_or_undercut_what_was_already_paid():
    claim, request = claimed(approved(milestones=PLAN_AND_PROOF), claimed_amount=eur("4000.00"))
    with pytest.raises(RuleViolation) as raised:
        approve(claim, request, "4000.01")
    assert raised.value.rules == ["approved_above_claimed"]
    with pytest.raises(RuleViolation) as raised:
        approve(claim, request, "2499.99")  # 2500 already paid on the plan
    assert raised.value.rules == ["claim_below_disbursed"]


def test_rejected_claim_reopens_the_request_for_another_claim():
    claim, request = claimed(approved())
    events = decide_reject_claim(claim, RejectClaim("c1", "invoice unreadable", date(2026, 5, 25), "mgr"))
    rejected = evolve_claim(claim, events[0])
    assert (rejected.status, rejected.decision_reason) == (ClaimStatus.REJECTED, "invoice unreadable")
    reopened = fold(request, events)
    assert reopened.open_claim_id is None
    assert reopened.status == RequestStatus.APPROVED
    assert decide_submit_claim(None, reopened, claim_command(claim_id="c2"), policy=POLICY)
    with pytest.raises(InvalidTransition):
        decide_reject_claim(rejected, RejectClaim("c1", "again", date(2026, 5, 26), "mgr"))
