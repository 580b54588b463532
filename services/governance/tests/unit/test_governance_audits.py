"""Spot audits: the seeded sample worked out independently, and confirming or failing a sampled item."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from governance.domain.audit import (
    AuditCandidate,
    AuditPeriod,
    DecideItem,
    DrawSample,
    decide_draw,
    decide_item,
    evolve_audit,
    period_of,
    period_start,
    sample,
)
from governance.domain.errors import InvalidTransition, NotFound, RuleViolation
from incentive_contracts.events.governance import GovernanceAuditItemFailed, GovernanceAuditItemSampled

DEALS = [AuditCandidate("deal", f"d-{n}", f"p-{n % 3}", "2026-Q1") for n in range(1, 7)]
CLAIMS = [AuditCandidate("mdf_claim", f"c-{n}", "p-1", "2026-Q1") for n in range(1, 3)]
OTHER_PERIOD = [AuditCandidate("deal", "d-99", "p-1", "2026-Q2")]
POPULATION = DEALS + CLAIMS + OTHER_PERIOD


def by_hand(seed: str, size: int) -> list[str]:
    """The eight Q1 items ranked by SHA-256 of seed|period|kind|id, the first ``size`` taken."""
    keyed = sorted(
        (hashlib.sha256(f"{seed}|2026-Q1|{c.kind}|{c.item_id}".encode()).hexdigest(), c.item_id) for c in DEALS + CLAIMS
    )
    return [item_id for _, item_id in keyed[:size]]


def test_the_sample_size_is_the_rate_of_the_period_population_rounded_up() -> None:
    # 8 items in 2026-Q1 (the Q2 deal is not in it): 25 % is 2, 30 % is 2.4 -> 3, 0 % is none, 100 % all.
    assert len(sample(POPULATION, Decimal("0.25"), "s", "2026-Q1")) == 2
    assert len(sample(POPULATION, Decimal("0.30"), "s", "2026-Q1")) == 3
    assert sample(POPULATION, Decimal(0), "s", "2026-Q1") == []
    assert len(sample(POPULATION, Decimal(1), "s", "2026-Q1")) == 8


def test_the_sample_is_the_lowest_ranked_items_and_is_reproducible() -> None:
    drawn = [c.item_id for c in sample(POPULATION, Decimal("0.30"), "growth-2026", "2026-Q1")]
    assert drawn == by_hand("growth-2026", 3)
    assert drawn == [c.item_id for c in sample(list(reversed(POPULATION)), Decimal("0.30"), "growth-2026", "2026-Q1")]
    other = [c.item_id for c in sample(POPULATION, Decimal("0.30"), "another-seed", "2026-Q1")]
    assert other == by_hand("another-seed", 3)


def test_a_rate_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(RuleViolation):
        sample(POPULATION, Decimal("1.5"), "s", "2026-Q1")


def test_drawing_emits_one_sampled_event_per_item_and_a_period_is_drawn_once() -> None:
    command = DrawSample("2026-Q1", Decimal("0.25"), "growth-2026", date(2026, 4, 2))
    events = decide_draw(AuditPeriod("2026-Q1"), command, POPULATION)
    assert [e.item_id for e in events if isinstance(e, GovernanceAuditItemSampled)] == by_hand("growth-2026", 2)
    assert {(e.rate, e.seed) for e in events if isinstance(e, GovernanceAuditItemSampled)} == {("0.25", "growth-2026")}
    drawn = AuditPeriod("2026-Q1")
    for event in events:
        drawn = evolve_audit(drawn, event)
    with pytest.raises(InvalidTransition):
        decide_draw(drawn, command, POPULATION)


def test_a_failed_item_asks_for_flag_confirmation_and_an_item_is_decided_once() -> None:
    command = DrawSample("2026-Q1", Decimal(1), "s", date(2026, 4, 2))
    audit = AuditPeriod("2026-Q1")
    for event in decide_draw(audit, command, POPULATION):
        audit = evolve_audit(audit, event)
    fail = DecideItem("2026-Q1", "deal", "d-4", False, "kim", date(2026, 4, 9), "invoice missing")
    (failed,) = decide_item(audit, fail)
    assert failed == GovernanceAuditItemFailed(
        partner_id="p-1",  # d-4: 4 % 3
        audit_period="2026-Q1",
        item_kind="deal",
        item_id="d-4",
        failed_by="kim",
        failed_on=date(2026, 4, 9),
        reason="invoice missing",
        flag_confirmation_requested=True,
    )
    audit = evolve_audit(audit, failed)
    assert audit.items[("deal", "d-4")].status == "failed"
    with pytest.raises(InvalidTransition):
        decide_item(audit, DecideItem("2026-Q1", "deal", "d-4", True, "kim", date(2026, 4, 9), None))
    with pytest.raises(RuleViolation):
        decide_item(audit, DecideItem("2026-Q1", "deal", "d-5", False, "kim", date(2026, 4, 9), None))
    with pytest.raises(NotFound):
        decide_item(audit, DecideItem("2026-Q1", "deal", "d-99", True, "kim", date(2026, 4, 9), None))


def test_periods_are_calendar_quarters() -> None:
    assert [period_of(date(2026, m, 1)) for m in (1, 3, 4, 7, 12)] == [
        "2026-Q1",
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]
    # The day whose program version sets a period's spot-audit rate: the period's first.
    assert [period_start(p) for p in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")] == [
        date(2026, 1, 1),
        date(2026, 4, 1),
        date(2026, 7, 1),
        date(2026, 10, 1),
    ]
