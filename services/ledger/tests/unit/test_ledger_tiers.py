"""Tiers: promotion on events (revenue and points), the yearly review keeps or demotes on minimum activity."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from incentive_contracts.events.partner import PartnerTierChanged
from ledger.domain.catalog import Catalog
from ledger.domain.tiers import apply_due_reviews, months_before
from ledger_support import amounts, engaged, enrolled, entries, program, run, won

D = Decimal


def tier_changes(r) -> list[tuple[str | None, str, date]]:  # type: ignore[no-untyped-def]
    return [
        (a.payload.previous_tier, a.payload.tier, a.payload.effective_at)
        for a in r.ledger.announced
        if isinstance(a.payload, PartnerTierChanged)
    ]


def test_trailing_window_arithmetic():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 12) == date(2025, 1, 15)


async def test_points_and_revenue_promote_and_the_change_is_announced():
    r = await run(
        [
            enrolled(),
            engaged("quarterly_business_review", date(2026, 1, 20)),  # 10
            won("d1", "120000.00", date(2026, 2, 1)),  # revenue enough, points not (10 < 20)
            engaged("enablement_session", date(2026, 2, 10)),  # 15
            engaged("enablement_session", date(2026, 2, 11)),  # 20: silver
        ],
        program(),
    )
    assert tier_changes(r) == [(None, "registered", date(2026, 1, 5)), ("registered", "silver", date(2026, 2, 11))]
    promoted = r.ledger.announced[-1].payload
    assert promoted.rule_version == 1
    assert "promoted" in promoted.reason
    assert "20 engagement points" in promoted.reason
    assert r.ledger.partners["acme"].tier == "silver"


async def test_revenue_outside_the_trailing_window_does_not_count():
    r = await run(
        [
            enrolled(on=date(2025, 1, 5)),
            won("d1", "120000.00", date(2025, 2, 1)),
            engaged("certification", date(2026, 2, 10)),
            engaged("quarterly_business_review", date(2026, 2, 11)),  # 25 points, but d1 is 12+ months old
        ],
        program(),
    )
    assert r.ledger.partners["acme"].tier == "registered"


async def test_yearly_review_keeps_a_tier_on_minimum_activity_and_demotes_without_it():
    silver = [
        enrolled(),
        engaged("quarterly_business_review", date(2026, 1, 20)),
        engaged("certification", date(2026, 2, 3)),  # 25 points
        won("d1", "120000.00", date(2026, 3, 1)),  # silver from here
    ]
    kept = await run(
        [
            *silver,
            engaged("quarterly_business_review", date(2027, 6, 1)),  # 10 = keep minimum
            won("d2", "10000.00", date(2028, 2, 1)),
        ],
        program(),
    )
    assert kept.ledger.partners["acme"].tier == "silver"
    assert -amounts(entries(kept, "rebate")[-1])["partner:acme:rebates_payable"] == D("800.00")  # 8 % cloud

    lapsed = await run([*silver, won("d2", "10000.00", date(2028, 2, 1))], program())
    # Review 2027-01-01: 25 points in 2026 >= 10, kept. Review 2028-01-01: 0 points < 10: back to registered.
    assert tier_changes(lapsed)[-1] == ("silver", "registered", date(2028, 1, 1))
    assert "below the minimum activity" in lapsed.ledger.announced[-1].payload.reason
    assert -amounts(entries(lapsed, "rebate")[-1])["partner:acme:rebates_payable"] == D("500.00")  # 5 %


async def test_the_review_command_and_the_lazy_review_agree():
    events = [
        enrolled(),
        engaged("certification", date(2026, 1, 20)),
        engaged("certification", date(2026, 2, 3)),
        won("d1", "120000.00", date(2026, 3, 1)),
    ]
    r = await run(events, program())
    state = r.ledger.partners["acme"]
    catalog = Catalog([program()])
    reviewed, made = apply_due_reviews(state, catalog, date(2028, 1, 1), datetime(2028, 1, 2, tzinfo=UTC))
    assert [(a.payload.previous_tier, a.payload.tier) for a in made] == [("silver", "registered")]
    assert reviewed.reviewed_through == date(2028, 1, 1)
    again, none = apply_due_reviews(reviewed, catalog, date(2028, 1, 1), datetime(2028, 1, 2, tzinfo=UTC))
    assert none == []
    assert again == reviewed
    lazy = await run([*events, won("d2", "10.00", date(2028, 1, 2))], program())
    assert [a for a in lazy.ledger.announced if isinstance(a.payload, PartnerTierChanged)][-1].event_id == made[
        0
    ].event_id
