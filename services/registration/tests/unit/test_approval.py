"""Manual approval and rejection; a manager awarding a conflict."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from incentive_contracts.events.deal import DealApproved, DealConflictResolved, DealRejected, FlagReason
from registration.domain.approval import Decision, decide_approve, decide_award, decide_award_direct, decide_reject
from registration.domain.deal import Flag, Status, fold
from registration.domain.errors import InvalidTransition, RuleViolation
from registration.domain.identity import CustomerIdentity
from registration.domain.policy import ApprovalPolicy, RegistrationPolicy
from registration.domain.registration import DirectDeal, RegistrationBook

from .builders import DAY, approved_deal, partner, register

MANUAL = RegistrationPolicy(approval=ApprovalPolicy(enabled=False))
LATER = DAY + timedelta(days=2)


def pending(deal_id="d1", partner_id="acme"):
    deal = fold(RegistrationBook(MANUAL).decide(register(deal_id, partner_id), partner(partner_id)))
    assert deal is not None
    assert deal.status == Status.PENDING
    return deal


def conflict_group():
    """p1 registers first (approved), p2 and p3 follow (conflict)."""
    book = RegistrationBook(RegistrationPolicy())
    deals = [fold(book.decide(register(f"d{i}", f"p{i}"), partner(f"p{i}"))) for i in (1, 2, 3)]
    assert [d.status for d in deals] == [Status.APPROVED, Status.CONFLICT, Status.CONFLICT]
    return deals


def test_a_manager_approves_a_pending_registration():
    [event] = decide_approve(pending(), Decision("d1", "manager:jo", LATER))
    assert isinstance(event, DealApproved)
    assert (event.approved_by, event.approved_on) == ("manager:jo", LATER)


def test_only_pending_registrations_are_approved_and_the_allowed_actions_are_named():
    with pytest.raises(InvalidTransition) as approved:
        decide_approve(approved_deal(), Decision("d1", "m", LATER))
    assert approved.value.problem_extra == {"allowed": []}
    with pytest.raises(InvalidTransition) as conflicting:
        decide_approve(conflict_group()[1], Decision("d2", "m", LATER))
    assert conflicting.value.problem_extra == {"allowed": ["award", "reject"]}


def test_a_flagged_registration_is_approved_only_after_its_flags_are_cleared():
    flagged = replace(pending(), flags=(Flag(FlagReason.SELF_DEALING, "own domain", DAY),))
    with pytest.raises(RuleViolation, match="self_dealing"):
        decide_approve(flagged, Decision("d1", "m", LATER))
    cleared = replace(flagged, flags=(Flag(FlagReason.SELF_DEALING, "own domain", DAY, LATER, "m"),))
    assert decide_approve(cleared, Decision("d1", "m", LATER))


def test_rejection_needs_a_reason_and_a_pending_or_conflicting_registration():
    with pytest.raises(RuleViolation):
        decide_reject(pending(), Decision("d1", "m", LATER, "  "))
    [event] = decide_reject(pending(), Decision("d1", "m", LATER, "duplicate of CRM opportunity"))
    assert isinstance(event, DealRejected)
    assert event.reason == "duplicate of CRM opportunity"
    assert fold([event], pending()).status == Status.REJECTED
    with pytest.raises(InvalidTransition):
        decide_reject(approved_deal(), Decision("d1", "m", LATER, "no"))


def test_awarding_a_conflict_rejects_every_rival_with_the_reason_and_approves_the_winner():
    first, second, third = conflict_group()
    events = decide_award(second, [first, third], [], Decision("d2", "manager:jo", LATER, "customer chose p2"), 90)
    rejected = [e for e in events if isinstance(e, DealRejected)]
    assert [e.deal_id for e in rejected] == ["d1", "d3"]
    assert all(e.reason == "conflict awarded to deal d2: customer chose p2" for e in rejected)
    resolved = next(e for e in events if isinstance(e, DealConflictResolved))
    assert (resolved.deal_id, resolved.rejected_deal_ids) == ("d2", ["d1", "d3"])
    assert isinstance(events[-1], DealApproved)
    winner = fold([e for e in events if e.deal_id == "d2"], second)
    assert (winner.status, winner.conflicts_with) == (Status.APPROVED, ())


def test_awarding_to_the_first_comer_keeps_its_approval_and_rejects_the_rest():
    first, second, third = conflict_group()
    events = decide_award(first, [second, third], [], Decision("d1", "m", LATER), 90)
    assert [e.event_type for e in events] == ["deal.rejected", "deal.rejected", "deal.conflict_resolved"]


def test_award_refuses_a_deal_that_is_not_in_a_conflict():
    with pytest.raises(InvalidTransition, match="not part of a conflict"):
        decide_award(approved_deal(), [], [], Decision("d1", "m", LATER), 90)


def test_awarding_to_the_vendor_rejects_the_partners_registrations():
    direct = DirectDeal("v1", CustomerIdentity.of("Globex", "globex.example"), "cloud", DAY)
    book = RegistrationBook(RegistrationPolicy(), direct_deals=[direct])
    deal = fold(book.decide(register(), partner()))
    assert deal.status == Status.CONFLICT
    [event] = decide_award_direct(direct, [deal], Decision("", "m", LATER, "signed directly"), 90)
    assert isinstance(event, DealRejected)
    assert event.reason == "customer awarded to the vendor's direct deal v1: signed directly"


def test_awarding_a_partner_over_a_direct_deal_releases_the_direct_deal():
    direct = DirectDeal("v1", CustomerIdentity.of("Globex", "globex.example"), "cloud", date(2026, 3, 1))
    deal = fold(RegistrationBook(RegistrationPolicy(), direct_deals=[direct]).decide(register(), partner()))
    events = decide_award(deal, [], [direct], Decision("d1", "m", LATER), 90)
    resolved = next(e for e in events if isinstance(e, DealConflictResolved))
    assert resolved.released_direct_deals == ["v1"]
    assert events[-1].event_type == "deal.approved"
