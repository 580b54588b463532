"""deal.reversed inside the window reverses every reward the deal produced, in full or pro rata."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from incentive_contracts.events.ledger import LedgerMdfAccrualReversed
from ledger_support import amounts, balance, enrolled, entries, mdf_answers, program, reversed_, run, won

D = Decimal

RICH = {
    "growth_accelerator": {"multiplier": "2", "quarterly_target": {"default": {"USD": "5000"}}},
    "spiffs": [
        {"id": "cloud", "product_lines": ["cloud"], "from": "2026-01-01", "to": "2026-12-31", "amount": {"USD": "500"}}
    ],
    "mdf_accrual": {"percent": "1"},
}
# d1: 10000.00 cloud on 2026-02-01 -> rebate 500.00; accelerator (10000 - 5000) x 5 % x (2 - 1) = 250.00;
# SPIFF 500.00; MDF accrual 100.00


async def test_a_full_reversal_claws_back_every_reward_with_references_to_the_originals():
    """Issue 12 defect 1: the MDF accrual is no longer posted back by the ledger itself. It is
    announced (ledger.mdf_accrual_reversed); the mdf service, the single writer of the fund, answers
    with mdf.accrual_clawed_back and only that moves mdf_available."""
    events = [
        enrolled(),
        won("d1", "10000.00", date(2026, 2, 1)),
        reversed_("d1", "10000.00", date(2026, 3, 1), full=True),
    ]
    r = await run(events, program(RICH))
    originals = {e.entry_id: e for e in entries(r) if e.kind in ("rebate", "growth_accelerator", "spiff")}
    clawbacks = entries(r, "clawback")
    assert sorted(c.reverses for c in clawbacks) == sorted(originals)
    taken = {originals[c.reverses].kind: c.explanation["amount"] for c in clawbacks}
    assert taken == {"rebate": "500.00", "growth_accelerator": "250.00", "spiff": "500.00"}
    assert balance(r, "rebates_payable") == D("0.00")
    assert balance(r, "mdf_available") == D("100.00")  # nothing posted on MDF until the mdf service answers
    (back,) = [a.payload for a in r.ledger.announced if isinstance(a.payload, LedgerMdfAccrualReversed)]
    (accrual,) = entries(r, "mdf_accrual")
    assert (back.amount.amount, back.period, back.reverses) == (D("100.00"), "2026-Q1", accrual.entry_id)
    r = await run([*events, *mdf_answers(r)], program(RICH))
    (clawed,) = entries(r, "mdf_accrual_clawback")
    assert clawed.reverses == accrual.entry_id
    assert clawed.explanation["period"] == "2026-Q1"
    assert amounts(clawed) == {
        "partner:acme:mdf_available": D("100.00"),
        "program:growth:mdf_accrual_expense": D("-100.00"),
    }
    assert balance(r, "mdf_available") == D("0.00")


async def test_pro_rata_clawbacks_add_up_exactly_to_the_original():
    r = await run(
        [
            enrolled(),
            won("d1", "10000.00", date(2026, 2, 1)),
            reversed_("d1", "2500.00", date(2026, 2, 15)),  # 25 %: 125.00 + 62.50 + 125.00 + 25.00
            reversed_("d1", "7500.00", date(2026, 3, 1)),
        ],
        program(RICH),
    )
    first = [c.explanation["amount"] for c in entries(r, "clawback")][:3]
    assert first == ["125.00", "62.50", "125.00"]
    asked = [a.payload.amount.amount for a in r.ledger.announced if isinstance(a.payload, LedgerMdfAccrualReversed)]
    assert asked == [D("25.00"), D("75.00")]  # the MDF share is asked of the mdf service, not posted
    # 500 + 250 + 500 = 1250 earned, 312.50 then 937.50 clawed back
    assert balance(r, "rebates_payable") == D("0.00")
    assert balance(r, "mdf_available") == D("100.00")


async def test_pro_rata_rounding_never_leaves_a_remainder():
    r = await run(
        [
            enrolled(),
            won("d1", "100.01", date(2026, 2, 1)),  # 5.0005 -> 5.00 (half-even)
            reversed_("d1", "33.34", date(2026, 2, 2)),  # 5.00 x 33.34/100.01 = 1.6668 -> 1.67
            reversed_("d1", "33.33", date(2026, 2, 3)),  # x 66.67/100.01 = 3.3332 -> 3.33: 1.66 more
            reversed_("d1", "33.34", date(2026, 2, 4)),
        ],  # all of it: 5.00 - 3.33 = 1.67
        program(),
    )
    assert [c.explanation["amount"] for c in entries(r, "clawback")] == ["1.67", "1.66", "1.67"]
    assert balance(r, "rebates_payable") == D("0.00")


async def test_outside_the_window_nothing_is_reversed_and_the_entry_says_why():
    r = await run(
        [enrolled(), won("d1", "10000.00", date(2026, 2, 1)), reversed_("d1", "10000.00", date(2026, 6, 1), full=True)],
        program(),
    )  # 120 days > 90
    (clawback,) = entries(r, "clawback")
    assert all(p.amount == 0 for p in clawback.postings)
    assert "outside the 90-day clawback window" in clawback.explanation["summary"]
    assert balance(r, "rebates_payable") == D("500.00")


async def test_a_program_can_claw_back_in_full_on_any_partial_reversal():
    r = await run(
        [enrolled(), won("d1", "10000.00", date(2026, 2, 1)), reversed_("d1", "1000.00", date(2026, 2, 10))],
        program({"clawback": {"window_days": 30, "partial": "full"}}),
    )
    assert [c.explanation["amount"] for c in entries(r, "clawback")] == ["500.00"]
    assert balance(r, "rebates_payable") == D("0.00")


async def test_capped_amounts_are_reversed_too():
    r = await run(
        [
            enrolled(),
            won("d1", "30000.00", date(2026, 2, 1)),  # 1000 paid, 500 capped
            reversed_("d1", "15000.00", date(2026, 2, 10)),
        ],  # half: 500 paid and 250 capped back
        program({"caps": {"per_deal": {"USD": "1000"}}}),
    )
    (clawback,) = entries(r, "clawback")
    assert amounts(clawback)["partner:acme:rebates_capped"] == D("250.00")
    assert balance(r, "rebates_payable") == D("500.00")
    assert balance(r, "rebates_capped") == D("250.00")
