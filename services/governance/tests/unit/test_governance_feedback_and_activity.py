"""Partner feedback, and what other services' events tell governance (facts, rituals, audit items)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from governance.domain.activity import ActivityFact, audit_candidate_of, facts_of, ritual_of
from governance.domain.audit import AuditCandidate
from governance.domain.errors import AlreadyExists, InvalidTransition
from governance.domain.feedback import (
    AnswerProposal,
    SubmitProposal,
    decide_answer,
    decide_submit,
    evolve_proposal,
)
from incentive_contracts.events.deal import DealRegistered, DealReversed, DealWon
from incentive_contracts.events.engagement import EngagementKind, EngagementRecorded
from incentive_contracts.events.mdf import MdfClaimApproved
from incentive_contracts.money import Money

SUBMIT = SubmitProposal("prop-1", "p-1", "default", "Webinars", "count them", date(2026, 4, 10), "partner:p-1:k")


def test_a_proposal_is_answered_until_accepted_or_declined() -> None:
    (submitted,) = decide_submit(None, SUBMIT)
    proposal = evolve_proposal(None, submitted)
    with pytest.raises(AlreadyExists):
        decide_submit(proposal, SUBMIT)
    (considering,) = decide_answer(
        proposal, AnswerProposal("prop-1", "under_consideration", "for 2027", date(2026, 4, 14), "sam")
    )
    proposal = evolve_proposal(proposal, considering)
    (accepted,) = decide_answer(proposal, AnswerProposal("prop-1", "accepted", "done", date(2026, 5, 1), "sam"))
    proposal = evolve_proposal(proposal, accepted)
    assert (proposal.status, [a.status for a in proposal.answers]) == ("accepted", ["under_consideration", "accepted"])
    with pytest.raises(InvalidTransition):
        decide_answer(proposal, AnswerProposal("prop-1", "declined", "no", date(2026, 5, 2), "sam"))


def usd(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USD")


def test_engagement_becomes_a_raw_fact_and_a_ritual() -> None:
    event = EngagementRecorded(
        partner_id="p-1",
        engagement_id="e-1",
        kind=EngagementKind.QUARTERLY_BUSINESS_REVIEW,
        occurred_on=date(2026, 3, 20),
        evidence_ref="minutes.pdf",
    )
    assert facts_of(event) == [
        ActivityFact("engagement:e-1", "p-1", "engagement:quarterly_business_review", date(2026, 3, 20), Decimal(1))
    ]
    ritual = ritual_of(event)
    assert ritual is not None
    assert (ritual.kind, ritual.source) == ("qbr", "engagement.recorded:e-1")


def test_deals_become_pipeline_won_revenue_and_audit_candidates() -> None:
    registered = DealRegistered(
        partner_id="p-1",
        deal_id="d-1",
        customer_name="Globex",
        product_line="analytics",
        expected_amount=usd("120000.00"),
        expected_close=date(2026, 6, 1),
        registered_on=date(2026, 2, 1),
    )
    won = DealWon(
        partner_id="p-1",
        deal_id="d-1",
        product_line="analytics",
        amount=usd("110000.00"),
        closed_on=date(2026, 5, 20),
        registered=True,
    )
    reversed_ = DealReversed(
        partner_id="p-1", deal_id="d-1", reversed_on=date(2026, 6, 2), amount=usd("10000.00"), full=False, reason="r"
    )
    assert [(f.metric, f.quantity) for f in facts_of(registered) + facts_of(won) + facts_of(reversed_)] == [
        ("pipeline:USD", Decimal("120000.00")),
        ("won:USD", Decimal("110000.00")),
        ("wins", Decimal(1)),
        ("won:USD", Decimal("-10000.00")),  # a partial reversal: still a win
    ]
    full = reversed_.model_copy(update={"full": True, "amount": usd("100000.00")})
    assert [(f.metric, f.quantity) for f in facts_of(full)] == [
        ("won:USD", Decimal("-100000.00")),
        ("wins", Decimal(-1)),
    ]
    assert audit_candidate_of(won) == AuditCandidate("deal", "d-1", "p-1", "2026-Q2")
    assert audit_candidate_of(registered) is None


def test_an_approved_mdf_claim_is_a_claim_and_spend() -> None:
    approved = MdfClaimApproved(
        partner_id="p-1", claim_id="c-1", request_id="r-1", period="2026-Q1",
        approved_amount=Money(amount=Decimal("4250.50"), currency="EUR"), approved_on=date(2026, 3, 31),
    )  # fmt: skip
    assert [(f.fact_id, f.metric, f.quantity) for f in facts_of(approved)] == [
        ("claim:c-1", "mdf_claims", Decimal(1)),
        ("spend:c-1", "mdf_spend:EUR", Decimal("4250.50")),
    ]
