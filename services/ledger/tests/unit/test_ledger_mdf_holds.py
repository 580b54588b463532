"""Issue 12 defects 4 and 7, and the MDF money model (MDF_MODEL.md) in the ledger:

- a flagged deal's MDF accrual is held (mdf_held, not announced) until its last flag is cleared;
- a confirmed flag reverses the deal's rewards in full whatever the clawback window: the held rebate
  and a held accrual go back to the expense; an accrual already available is asked of the mdf service;
- mdf.reservation_released and mdf.accrual_clawed_back post what the mdf service decided.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from incentive_contracts.events import mdf
from incentive_contracts.events.ledger import LedgerMdfAccrualReversed, LedgerMdfAccrued
from incentive_contracts.money import Money
from ledger_support import (
    allocated,
    amounts,
    balance,
    cleared,
    confirmed,
    enrolled,
    entries,
    flagged,
    mdf_answers,
    program,
    reversed_,
    run,
    usd,
    won,
)

D = Decimal
MDF = {"mdf_accrual": {"percent": "1"}}  # 10,000.00 won -> 500.00 rebate, 100.00 MDF


def announced(r, kind):  # type: ignore[no-untyped-def]
    return [a.payload for a in r.ledger.announced if isinstance(a.payload, kind)]


async def test_a_flagged_deal_accrues_its_mdf_into_held_and_does_not_announce_it():
    r = await run([enrolled(), flagged("d1", date(2026, 1, 20)), won("d1", "10000.00", date(2026, 2, 1))], program(MDF))
    (accrual,) = entries(r, "mdf_accrual")
    assert accrual.explanation["held"] is True
    assert accrual.explanation["period"] == "2026-Q1"
    assert (balance(r, "mdf_available"), balance(r, "mdf_held")) == (D("0.00"), D("100.00"))
    assert announced(r, LedgerMdfAccrued) == []


async def test_clearing_the_last_flag_releases_the_held_accrual_and_announces_it_then():
    events = [
        enrolled(),
        flagged("d1", date(2026, 1, 20)),
        won("d1", "10000.00", date(2026, 2, 1)),
        cleared("d1", date(2026, 4, 9)),
    ]
    r = await run(events, program(MDF))
    (accrual,) = entries(r, "mdf_accrual")
    (release,) = entries(r, "mdf_hold_release")
    assert release.reverses == accrual.entry_id
    assert release.explanation["period"] == "2026-Q1"
    assert amounts(release) == {"partner:acme:mdf_held": D("100.00"), "partner:acme:mdf_available": D("-100.00")}
    assert (balance(r, "mdf_available"), balance(r, "mdf_held")) == (D("100.00"), D("0.00"))
    assert (balance(r, "rebates_payable"), balance(r, "rebates_held")) == (D("500.00"), D("0.00"))
    (told,) = announced(r, LedgerMdfAccrued)
    assert (told.entry_id, told.period, told.amount, told.rate) == (release.entry_id, "2026-Q1", usd("100.00"), "0.01")


async def test_confirming_a_flag_reverses_the_held_rebate_and_the_held_accrual_whatever_the_window():
    events = [
        enrolled(),
        flagged("d1", date(2026, 1, 20)),
        won("d1", "10000.00", date(2026, 2, 1)),
        confirmed("d1", date(2026, 12, 1)),  # 303 days after the close: far outside the 90-day window
    ]
    r = await run(events, program(MDF))
    clawbacks = entries(r, "clawback")
    assert sorted(c.explanation["amount"] for c in clawbacks) == ["100.00", "500.00"]
    assert all(c.explanation["event_type"] == "deal.flag_confirmed" for c in clawbacks)
    assert (balance(r, "rebates_payable"), balance(r, "rebates_held")) == (D("0.00"), D("0.00"))
    assert (balance(r, "mdf_available"), balance(r, "mdf_held")) == (D("0.00"), D("0.00"))
    assert announced(r, LedgerMdfAccrualReversed) == []  # the mdf service never knew the held accrual
    assert announced(r, LedgerMdfAccrued) == []
    # a later clear of another flag reason pays nothing of the rejected deal
    r = await run([*events, cleared("d1", date(2026, 12, 2), "registration_velocity")], program(MDF))
    assert (balance(r, "rebates_payable"), balance(r, "mdf_available")) == (D("0.00"), D("0.00"))


async def test_confirming_a_flag_raised_after_the_win_asks_the_mdf_service_for_the_available_accrual():
    events = [
        enrolled(),
        won("d1", "10000.00", date(2026, 2, 1)),
        flagged("d1", date(2026, 2, 2)),
        confirmed("d1", date(2026, 9, 1)),
    ]
    r = await run(events, program(MDF))
    assert (balance(r, "rebates_payable"), balance(r, "rebates_held")) == (D("0.00"), D("0.00"))
    assert balance(r, "mdf_available") == D("100.00")  # not posted by the ledger
    (asked,) = announced(r, LedgerMdfAccrualReversed)
    assert (asked.amount, asked.period) == (usd("100.00"), "2026-Q1")
    r = await run([*events, *mdf_answers(r, {"acme": D("60.00")})], program(MDF))
    (clawed,) = entries(r, "mdf_accrual_clawback")
    assert clawed.explanation["amount"] == "60.00"
    assert "40.00 USD unrecovered" in clawed.explanation["summary"]
    assert balance(r, "mdf_available") == D("40.00")


async def test_a_partial_claim_release_moves_the_rest_of_the_reservation_back_to_available():
    released = mdf.MdfReservationReleased(
        partner_id="acme",
        request_id="r1",
        claim_id="c1",
        period="2026-Q1",
        amount=Money(amount=D("100.00"), currency="USD"),
        reason="claim c1 approved for 300.00 USD of the 400.00 USD reserved",
        released_on=date(2026, 3, 20),
    )
    approved = mdf.MdfRequestApproved(
        partner_id="acme",
        request_id="r1",
        period="2026-Q1",
        requested_amount=usd("400.00"),
        approved_amount=usd("400.00"),
        approved_on=date(2026, 2, 2),
        approved_by="m",
        claim_deadline=date(2026, 4, 30),
    )
    r = await run([enrolled(), allocated("1000.00", date(2026, 2, 1)), approved, released], program())
    (entry,) = entries(r, "mdf_reservation_release")
    assert entry.explanation["period"] == "2026-Q1"
    assert (balance(r, "mdf_reserved"), balance(r, "mdf_available")) == (D("300.00"), D("700.00"))


async def test_a_reversal_while_held_returns_the_held_accrual_to_the_expense_and_after_release_asks_the_mdf_service():
    held = [enrolled(), flagged("d1", date(2026, 1, 20)), won("d1", "10000.00", date(2026, 2, 1))]
    r = await run([*held, reversed_("d1", "10000.00", date(2026, 2, 10), full=True)], program(MDF))
    assert (balance(r, "mdf_held"), balance(r, "mdf_available"), balance(r, "rebates_held")) == (
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )
    assert announced(r, LedgerMdfAccrualReversed) == []
    r = await run(
        [*held, cleared("d1", date(2026, 2, 5)), reversed_("d1", "10000.00", date(2026, 2, 10), full=True)],
        program(MDF),
    )
    assert balance(r, "mdf_available") == D("100.00")  # released, then asked of the mdf service
    (asked,) = announced(r, LedgerMdfAccrualReversed)
    (accrual,) = entries(r, "mdf_accrual")
    assert (asked.amount, asked.reverses) == (usd("100.00"), accrual.entry_id)
