"""deal.flagged holds the deal's rewards (not payable) until every flag is cleared."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger_support import balance, cleared, enrolled, entries, flagged, program, reversed_, run, won

D = Decimal


async def test_a_flag_after_the_win_moves_the_rewards_to_held_and_clearing_releases_them():
    r = await run([enrolled(), won("d1", "10000.00", date(2026, 2, 1)), flagged("d1", date(2026, 2, 2))], program())
    assert (balance(r, "rebates_payable"), balance(r, "rebates_held")) == (D("0.00"), D("500.00"))
    r2 = await run(
        [
            enrolled(),
            won("d1", "10000.00", date(2026, 2, 1)),
            flagged("d1", date(2026, 2, 2)),
            cleared("d1", date(2026, 2, 9)),
        ],
        program(),
    )
    (hold,) = entries(r2, "hold")
    (release,) = entries(r2, "release")
    assert release.reverses == hold.entry_id
    assert (balance(r2, "rebates_payable"), balance(r2, "rebates_held")) == (D("500.00"), D("0.00"))


async def test_a_deal_flagged_before_its_win_posts_held_and_needs_every_flag_cleared():
    events = [
        enrolled(),
        flagged("d1", date(2026, 1, 20)),
        flagged("d1", date(2026, 1, 21), "registration_velocity"),
        won("d1", "10000.00", date(2026, 2, 1)),
        cleared("d1", date(2026, 2, 5)),
    ]
    r = await run(events, program())
    assert balance(r, "rebates_held") == D("500.00")  # registration_velocity is still open
    assert entries(r, "rebate")[0].explanation["held"] is True
    r = await run([*events, cleared("d1", date(2026, 2, 6), "registration_velocity")], program())
    assert (balance(r, "rebates_payable"), balance(r, "rebates_held")) == (D("500.00"), D("0.00"))


async def test_a_clawback_of_a_held_deal_takes_the_money_from_held():
    r = await run(
        [
            enrolled(),
            won("d1", "10000.00", date(2026, 2, 1)),
            flagged("d1", date(2026, 2, 2)),
            reversed_("d1", "10000.00", date(2026, 2, 3), full=True),
        ],
        program(),
    )
    assert (balance(r, "rebates_payable"), balance(r, "rebates_held")) == (D("0.00"), D("0.00"))
