"""Disputes: given events, when a command, then events (review, escalation, resolution)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from governance.domain.dispute import (
    Dispute,
    DisputePolicy,
    OpenDispute,
    Resolve,
    decide_escalate,
    decide_escalate_overdue,
    decide_open,
    decide_resolve,
    decide_review,
    evolve_dispute,
)
from governance.domain.errors import AlreadyExists, InvalidTransition, RuleViolation
from governance_builders import given
from incentive_contracts.events.governance import (
    Evidence,
    GovernanceDisputeEscalated,
    GovernanceDisputeResolved,
    GovernanceDisputeReviewStarted,
)
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload

OPENED = date(2026, 4, 3)
POLICY = DisputePolicy(answer_days=10, max_level=2)
EUR = Money(amount=Decimal("2400.00"), currency="EUR")
OPEN = OpenDispute(
    "dsp-1",
    "p-1",
    "statement_line",
    "entry-0c4f",
    "rebate at 3% instead of 5%",
    (Evidence(reference="po.pdf"),),
    EUR,
    OPENED,
    "partner:p-1:olga",
)


def dispute_after(*events: EventPayload) -> Dispute:
    found = given(evolve_dispute, [*decide_open(None, OPEN), *events])
    assert found is not None
    return found


def test_a_dispute_opens_once_and_waits_for_an_answer() -> None:
    dispute = dispute_after()
    assert (dispute.status, dispute.level, dispute.waiting_since, dispute.claimed_amount) == ("open", 0, OPENED, EUR)
    with pytest.raises(AlreadyExists):
        decide_open(dispute, OPEN)


def test_unanswered_for_the_configured_days_it_escalates_and_the_clock_starts_again() -> None:
    # Opened 04-03, 10 days to answer: still first line on 04-12, escalated on 04-13.
    assert decide_escalate_overdue(dispute_after(), date(2026, 4, 12), POLICY) == []
    escalated = decide_escalate_overdue(dispute_after(), date(2026, 4, 13), POLICY)
    assert escalated == [
        GovernanceDisputeEscalated(
            partner_id="p-1",
            dispute_id="dsp-1",
            level=1,
            reason="overdue",
            escalated_on=date(2026, 4, 13),
            escalated_by="system",
        )
    ]
    # Level 1 from 04-13: the next escalation is due on 04-23, and level 2 is the top.
    assert decide_escalate_overdue(dispute_after(*escalated), date(2026, 4, 22), POLICY) == []
    top = decide_escalate_overdue(dispute_after(*escalated), date(2026, 4, 23), POLICY)
    assert [e.level for e in top if isinstance(e, GovernanceDisputeEscalated)] == [2]
    assert decide_escalate_overdue(dispute_after(*escalated, *top), date(2026, 6, 1), POLICY) == []


def test_a_review_is_an_answer_that_restarts_the_escalation_clock() -> None:
    reviewed = decide_review(dispute_after(), "sam", date(2026, 4, 8))
    assert reviewed == [
        GovernanceDisputeReviewStarted(
            partner_id="p-1", dispute_id="dsp-1", reviewer="sam", started_on=date(2026, 4, 8)
        )
    ]
    assert decide_escalate_overdue(dispute_after(*reviewed), date(2026, 4, 17), POLICY) == []
    assert len(decide_escalate_overdue(dispute_after(*reviewed), date(2026, 4, 18), POLICY)) == 1


def test_the_partner_may_ask_for_escalation_up_to_the_top_level() -> None:
    first = decide_escalate(dispute_after(), "partner:p-1:olga", date(2026, 4, 5), POLICY)
    assert [(e.level, e.reason) for e in first if isinstance(e, GovernanceDisputeEscalated)] == [(1, "requested")]
    second = decide_escalate(dispute_after(*first), "partner:p-1:olga", date(2026, 4, 6), POLICY)
    with pytest.raises(RuleViolation):
        decide_escalate(dispute_after(*first, *second), "partner:p-1:olga", date(2026, 4, 7), POLICY)


def test_a_resolution_in_the_partners_favour_carries_the_compensation_and_the_days_it_took() -> None:
    events = decide_resolve(dispute_after(), Resolve("dsp-1", True, EUR, "5% applies", date(2026, 4, 20), "fin"))
    assert events == [
        GovernanceDisputeResolved(
            partner_id="p-1",
            dispute_id="dsp-1",
            subject_kind="statement_line",
            subject_ref="entry-0c4f",
            outcome="partner_favour",
            compensation=EUR,
            reason="5% applies",
            resolved_on=date(2026, 4, 20),
            resolved_by="fin",
            days_to_resolution=17,  # 04-03 to 04-20
        )
    ]
    resolved = dispute_after(*events)
    assert (resolved.status, resolved.days_to_resolution) == ("resolved", 17)
    with pytest.raises(InvalidTransition) as refused:
        decide_review(resolved, "sam", date(2026, 4, 21))
    assert refused.value.problem_extra == {"allowed": []}
    assert decide_escalate_overdue(resolved, date(2026, 9, 1), POLICY) == []


def test_a_rejection_carries_its_reason_and_no_money() -> None:
    (rejected,) = decide_resolve(dispute_after(), Resolve("dsp-1", False, None, "3% is right", date(2026, 4, 9), "f"))
    assert isinstance(rejected, GovernanceDisputeResolved)
    assert (rejected.outcome, rejected.compensation, rejected.reason) == ("rejected", None, "3% is right")
    with pytest.raises(RuleViolation):
        decide_resolve(dispute_after(), Resolve("dsp-1", False, EUR, "no", date(2026, 4, 9), "f"))
    with pytest.raises(RuleViolation):
        decide_resolve(dispute_after(), Resolve("dsp-1", True, None, "yes", date(2026, 4, 9), "f"))
