"""Caps per deal and per partner per quarter, and the stacking policy: the excess is recorded as
capped (rebates_capped / rewards_capped), never paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger_support import amounts, balance, enrolled, entries, program, reversed_, run, won

D = Decimal


async def test_per_deal_cap_records_the_excess_as_capped():
    r = await run(
        [enrolled(), won("d1", "30000.00", date(2026, 2, 1))], program({"caps": {"per_deal": {"USD": "1000"}}})
    )
    (rebate,) = entries(r, "rebate")
    # 30000 x 5 % = 1500.00: 1000.00 paid, 500.00 capped
    assert amounts(rebate) == {
        "program:growth:rebate_expense": D("1000.00"),
        "partner:acme:rebates_payable": D("-1000.00"),
        "program:growth:rewards_capped": D("500.00"),
        "partner:acme:rebates_capped": D("-500.00"),
    }
    assert rebate.explanation["capped"] == "500.00"
    assert rebate.explanation["capped_by"] == ["per-deal cap 1000.00 USD"]
    assert balance(r, "rebates_payable") == D("1000.00")
    assert balance(r, "rebates_capped") == D("500.00")


async def test_quarterly_partner_cap_and_reversals_free_the_room():
    r = await run(
        [
            enrolled(),
            won("d1", "25000.00", date(2026, 1, 10)),  # 1250.00 paid (room 2000)
            won("d2", "30000.00", date(2026, 2, 10)),  # 1500.00: room 750.00 -> 750 paid, 750 capped
            won("d3", "10000.00", date(2026, 3, 1)),  # 500.00: no room -> 0 paid, 500 capped
            won("d4", "10000.00", date(2026, 4, 2)),  # Q2 starts again: 500.00 paid
            reversed_("d1", "25000.00", date(2026, 3, 5), full=True),  # Q1 paid back to 750.00
            won("d5", "10000.00", date(2026, 3, 20)),  # room 1250: 500.00 paid
        ],
        program({"caps": {"per_partner_quarter": {"USD": "2000"}}}),
    )
    paid = {e.deal_id: -amounts(e)["partner:acme:rebates_payable"] for e in entries(r, "rebate")}
    assert paid == {"d1": D("1250.00"), "d2": D("750.00"), "d3": D("0.00"), "d4": D("500.00"), "d5": D("500.00")}
    # 1250 + 750 + 0 + 500 - 1250 (clawback) + 500
    assert balance(r, "rebates_payable") == D("1750.00")
    assert balance(r, "rebates_capped") == D("1250.00")


async def test_stacking_exclusive_groups_and_the_combined_limit():
    rules = {
        "registration_bonus": {"percent": "1"},
        "spiffs": [
            {
                "id": "cloud-push",
                "product_lines": ["cloud"],
                "from": "2026-01-01",
                "to": "2026-12-31",
                "amount": {"USD": "250"},
            }
        ],
        "stacking": {"max_combined_percent": "6", "exclusive": [["registration_bonus", "spiff"]]},
    }
    r = await run([enrolled(), won("d1", "10000.00", date(2026, 2, 1), registered=True)], program(rules))
    # rebate 500, bonus 100, SPIFF 250: bonus and SPIFF do not combine, the larger (SPIFF 250) applies;
    # the limit 6 % of 10000 = 600 leaves 100 for the SPIFF after the 500 rebate: 150 capped
    assert entries(r, "registration_bonus") == []
    (rebate,) = entries(r, "rebate")
    (spiff,) = entries(r, "spiff")
    assert -amounts(rebate)["partner:acme:rebates_payable"] == D("500.00")
    assert amounts(spiff)["partner:acme:rebates_payable"] == D("-100.00")
    assert amounts(spiff)["partner:acme:rebates_capped"] == D("-150.00")
    assert any("does not combine with spiff:cloud-push" in s for s in rebate.explanation["steps"])
    assert spiff.explanation["capped_by"] == ["stacking limit 6 % of the deal 600.00 USD"]
