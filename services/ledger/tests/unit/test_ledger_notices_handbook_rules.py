"""What a notice says changes, and the handbook's worked examples, worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.application.handbook import write_handbook
from ledger.application.worked_examples import worked_example
from ledger.domain.program_diff import Difference, differences
from ledger_support import program


def test_a_version_with_new_rates_caps_and_window_says_each_change_in_plain_language():
    old = program()
    new = program(
        {
            "rebate": {
                "percent": {
                    "registered": {"default": "5"},
                    "silver": {"default": "7", "cloud": "8"},  # default 6 -> 7
                    "gold": {"default": "8"},  # cloud 10 withdrawn
                }
            },
            "caps": {"per_deal": {"USD": "20000"}},
            "clawback": {"window_days": 120, "partial": "full"},
            "engagement_points": {"quarterly_business_review": 12, "certification": 15, "enablement_session": 5},
        }
    )
    found = differences(old.program, new.program)
    assert found == [
        Difference("rates", "The silver rebate for any other product line rises from 6 % to 7 %."),
        Difference("rates", "The gold rebate for product line cloud (10 %) is withdrawn."),
        Difference("caps", "The cap per deal is introduced: 20,000.00 USD."),
        Difference("engagement", "Points for quarterly business review changes from 10 to 12."),
        Difference("clawback", "The clawback window changes from 90 days (pro-rata) to 120 days (full)."),
    ]


def test_the_same_rules_make_no_difference_and_a_first_version_is_all_new():
    assert differences(program().program, program(version=2).program) == []
    assert [d.area for d in differences(None, program().program)] == ["rates"]


def test_tier_thresholds_that_move_are_named():
    levels = program().program.tiers.model_dump()["levels"]
    levels[2]["qualify"] = {"won_revenue": {"USD": "600000"}, "points": 40}
    new = program({"tiers": {"trailing_months": 12, "review_on": "01-01", "levels": levels}})
    assert differences(program().program, new.program) == [
        Difference(
            "tiers",
            "What reaches gold changes from 500,000.00 USD won and 40 engagement points "
            "to 600,000.00 USD won and 40 engagement points.",
        )
    ]


def test_worked_examples_are_what_the_engine_pays():
    # gold, product line cloud: 10 % of 100,000.00 = 10,000.00 rebate; no MDF accrual in this program.
    example = worked_example(
        program(), tier="gold", amount=Decimal("100000"), currency="USD", product_line="cloud", on=date(2025, 3, 3)
    )
    assert [(c.kind, c.account, c.amount) for c in example.credits] == [
        ("rebate", "rebates_payable", Decimal("10000.00"))
    ]


def test_a_cap_in_a_worked_example_splits_payable_and_capped():
    # silver default 6 % + registration bonus 2 % = 8,000.00 on 100,000.00; the per-deal cap of
    # 7,000.00 pays 7,000.00 and records 1,000.00 as capped. MDF accrual 1 % = 1,000.00.
    pv = program(
        {
            "registration_bonus": {"percent": "2"},
            "caps": {"per_deal": {"USD": "7000"}},
            "mdf_accrual": {"percent": "1"},
        }
    )
    example = worked_example(
        pv, tier="silver", amount=Decimal("100000"), currency="USD", product_line="default", on=date(2025, 3, 3)
    )
    assert example.total("rebates_payable") == Decimal("7000.00")
    assert example.total("rebates_capped") == Decimal("1000.00")
    assert example.total("mdf_available") == Decimal("1000.00")


def test_the_handbook_covers_every_required_section_with_one_example_per_tier():
    book = write_handbook(program(), status="in force", notice_days=30)
    assert [s.title for s in book.sections] == [
        "About this handbook",
        "Roles and responsibilities",
        "Tiers and how to reach them",
        "Incentives",
        "Caps and stacking",
        "Clawbacks",
        "Holds and anomaly checks",
        "Market development funds",
        "Disputes and escalation",
        "Engagement points",
        "Commitment benefits",
    ]
    [rates, worked] = book.sections[3].tables
    assert rates.header == ("tier", "cloud", "any other product line")
    assert rates.rows == (("registered", "5 % (default)", "5 %"), ("silver", "8 %", "6 %"), ("gold", "10 %", "8 %"))
    assert [(row[0], row[3]) for row in worked.rows] == [
        ("registered", "5,000.00 USD"),
        ("silver", "6,000.00 USD"),
        ("gold", "8,000.00 USD"),
    ]
    assert "at least 30 days" in " ".join(book.sections[1].paragraphs)
