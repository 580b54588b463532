"""Rewards on won deals: rebate by tier and product line, accelerator, bonus, influence, SPIFFs.

Every expected amount is worked out by hand in the comments next to it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from incentive_contracts.events import deal
from ledger_support import amounts, balance, engaged, enrolled, entries, incoming, program, replay, run, usd, won

D = Decimal


async def test_rebate_by_tier_and_product_line():
    r = await run(
        [
            enrolled(),
            engaged("quarterly_business_review", date(2026, 1, 20)),  # 10 points
            engaged("certification", date(2026, 2, 3)),  # 15 points: 25 in total
            won("d1", "120000.00", date(2026, 3, 1), line="storage"),  # registered: 5 % = 6000.00, then silver
            won("d2", "10000.00", date(2026, 3, 5), line="cloud"),  # silver cloud 8 % = 800.00
            won("d3", "10000.00", date(2026, 3, 6), line="storage"),  # silver default 6 % = 600.00
        ],
        program(),
    )
    rebates = entries(r, "rebate")
    assert [e.deal_id for e in rebates] == ["d1", "d2", "d3"]
    assert [-amounts(e)["partner:acme:rebates_payable"] for e in rebates] == [D("6000.00"), D("800.00"), D("600.00")]
    assert [e.explanation["tier"] for e in rebates] == ["registered", "silver", "silver"]
    assert rebates[2].explanation["inputs"]["rate_line"] == "default"
    assert rebates[1].rule_id == "growth/rebate"
    assert rebates[1].rule_version == 1
    assert balance(r, "rebates_payable") == D("7400.00")
    assert amounts(rebates[0])["program:growth:rebate_expense"] == D("6000.00")


ACCELERATOR = {"growth_accelerator": {"multiplier": "1.5", "quarterly_target": {"default": {"USD": "50000"}}}}


async def test_growth_accelerator_pays_the_extra_rate_on_revenue_above_the_quarterly_target():
    r = await run(
        [
            enrolled(),
            won("d1", "40000.00", date(2026, 1, 10)),  # below the 50000 target: rebate 2000.00 only
            won("d2", "30000.00", date(2026, 2, 10)),  # 20000 above: 20000 x 5 % x 0.5 = 500.00 extra
            won("d3", "10000.00", date(2026, 4, 10)),  # a new quarter starts from zero: no accelerator
        ],
        program(ACCELERATOR),
    )
    accelerators = entries(r, "growth_accelerator")
    assert [(e.deal_id, -amounts(e)["partner:acme:rebates_payable"]) for e in accelerators] == [("d2", D("500.00"))]
    assert accelerators[0].explanation["inputs"]["above_target"] == "20000.00"
    assert "program:growth:growth_accelerator_expense" in amounts(accelerators[0])
    # rebates 2000 + 1500 + 500, accelerator 500
    assert balance(r, "rebates_payable") == D("4500.00")


async def test_a_partner_specific_target_replaces_the_default():
    rules = {
        "growth_accelerator": {
            "multiplier": "1.5",
            "quarterly_target": {"default": {"USD": "50000"}, "by_partner": {"acme": {"USD": "80000"}}},
        }
    }
    r = await run(
        [enrolled(), won("d1", "40000.00", date(2026, 1, 10)), won("d2", "30000.00", date(2026, 2, 10))], program(rules)
    )
    assert entries(r, "growth_accelerator") == []  # 70000 never passes acme's 80000


async def test_registration_bonus_on_registered_and_approved_deals():
    r = await run(
        [
            enrolled(),
            won("d1", "12345.67", date(2026, 2, 1), registered=True),  # bonus 1 % = 123.4567 -> 123.46
            won("d2", "1000.00", date(2026, 2, 2)),  # not registered: no bonus
            deal.DealApproved(partner_id="acme", deal_id="d3", approved_on=date(2026, 1, 15), approved_by="auto"),
            won("d3", "2000.00", date(2026, 2, 3)),  # approved before the close: 1 % = 20.00
        ],
        program({"registration_bonus": {"percent": "1"}}),
    )
    bonuses = entries(r, "registration_bonus")
    assert [(e.deal_id, -amounts(e)["partner:acme:rebates_payable"]) for e in bonuses] == [
        ("d1", D("123.46")),
        ("d3", D("20.00")),
    ]
    # rebates: 12345.67 x 5 % = 617.2835 -> 617.28; 50.00; 100.00
    assert [-amounts(e)["partner:acme:rebates_payable"] for e in entries(r, "rebate")] == [
        D("617.28"),
        D("50.00"),
        D("100.00"),
    ]


INFLUENCE = {"influence": {"required": True, "kinds": ["joint_demo", "co_selling_call"]}}


async def test_no_rebate_without_proof_of_influence_before_the_close():
    late = deal.DealInfluenceRecorded(
        partner_id="acme",
        deal_id="d3",
        activity_id="a3",
        kind=deal.InfluenceKind.JOINT_DEMO,
        occurred_on=date(2026, 3, 2),
        evidence_ref="crm://demo",
    )
    early = deal.DealInfluenceRecorded(
        partner_id="acme",
        deal_id="d5",
        activity_id="a5",
        kind=deal.InfluenceKind.CO_SELLING_CALL,
        occurred_on=date(2026, 2, 20),
        evidence_ref="crm://call",
    )
    r = await run(
        [
            enrolled(),
            won("d1", "1000.00", date(2026, 3, 1)),  # no activity at all
            won("d2", "1000.00", date(2026, 3, 1), influence=[("joint_demo", date(2026, 2, 1))]),  # 50.00
            late,
            won("d3", "1000.00", date(2026, 3, 1)),  # the demo came after the close
            won("d4", "1000.00", date(2026, 3, 1), influence=[("customer_referral", date(2026, 2, 1))]),  # wrong kind
            early,
            won("d5", "1000.00", date(2026, 3, 1)),  # recorded separately, before the close: 50.00
        ],
        program(INFLUENCE),
    )
    rebates = {e.deal_id: e for e in entries(r, "rebate")}
    paid = {d: -amounts(e)["partner:acme:rebates_payable"] for d, e in rebates.items()}
    assert paid == {"d1": D("0.00"), "d2": D("50.00"), "d3": D("0.00"), "d4": D("0.00"), "d5": D("50.00")}
    why = rebates["d1"].explanation["summary"]
    assert why.startswith("No reward on deal d1")
    assert "proof-of-influence" in why
    assert "2026-03-01" in why
    assert rebates["d1"].rule_id == "growth/influence"
    assert balance(r, "rebates_payable") == D("100.00")


SPIFFS = {
    "spiffs": [
        {
            "id": "q1-security",
            "product_lines": ["security"],
            "from": "2026-01-01",
            "to": "2026-03-31",
            "amount": {"USD": "500", "EUR": "450"},
        }
    ]
}


async def test_spiffs_pay_a_fixed_amount_per_qualifying_deal_in_the_window():
    r = await run(
        [
            enrolled(),
            won("d1", "10000.00", date(2026, 2, 10), line="security"),  # 500.00 USD
            won("d2", "10000.00", date(2026, 4, 1), line="security"),  # after the window
            won("d3", "10000.00", date(2026, 2, 10), line="cloud"),  # another product line
            won("d4", "8000.00", date(2026, 3, 31), line="security", currency="EUR"),  # 450.00 EUR
            won("d5", "8000.00", date(2026, 3, 1), line="security", currency="GBP"),  # no GBP amount
        ],
        program(SPIFFS),
    )
    spiffs = entries(r, "spiff")
    assert [(e.deal_id, e.postings[1].currency, -e.postings[1].amount) for e in spiffs] == [
        ("d1", "USD", D("500.00")),
        ("d4", "EUR", D("450.00")),
    ]
    assert spiffs[0].rule_id == "growth/spiff:q1-security"
    # EUR: rebate 8000 x 5 % = 400.00 plus the 450.00 SPIFF; no currency is ever converted
    assert balance(r, "rebates_payable", "EUR") == D("850.00")


async def test_a_deal_won_twice_is_rewarded_once():
    r = await replay(
        [
            incoming(enrolled()),
            incoming(won("d1", "1000.00", date(2026, 2, 1))),
            incoming(won("d1", "1000.00", date(2026, 2, 1))),
        ],  # a second event id for the same win
        program(),
    )
    assert len(entries(r, "rebate")) == 1
    assert balance(r, "rebates_payable") == D("50.00")


async def test_money_is_never_converted_between_currencies():
    r = await run(
        [enrolled(), won("d1", "1000.00", date(2026, 2, 1)), won("d2", "1000", date(2026, 2, 1), currency="JPY")],
        program(),
    )
    assert balance(r, "rebates_payable") == D("50.00")
    assert balance(r, "rebates_payable", "JPY") == D("50")  # JPY has no minor unit
    assert usd("1", "JPY").currency == "JPY"
