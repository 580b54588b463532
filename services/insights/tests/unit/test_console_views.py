"""The console's shaping of API answers (pure): figures worked out by hand below."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from insights.entrypoints.console.render import money, percent
from insights.entrypoints.console.views import (
    engagement_points,
    next_tier,
    partner_safe_rules,
    pipeline_by_stage,
    program_money,
    quarter_bounds,
    shift_quarter,
    won_in_window,
    won_trend,
)

RULES = {
    "tiers": {"levels": [
        {"id": "registered", "qualify": {"won_revenue": {}, "points": 0}},
        {"id": "silver", "name": "Silver",
         "qualify": {"won_revenue": {"USD": "250000", "EUR": "230000"}, "points": 30}},
        {"id": "gold", "name": "Gold", "qualify": {"won_revenue": {"USD": "1000000"}, "points": 60}},
    ]},
    "engagement_points": {"quarterly_business_review": 10, "certification": 8},
    "growth_accelerator": {"multiplier": "1.5",
                           "quarterly_target": {"default": {"USD": "1"}, "by_partner": {"p-x": {}}}},
    "rebate": {"percent": {"registered": {"default": "5"}}},
}  # fmt: skip


def usd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "USD"}


def test_pipeline_groups_open_deals_by_stage_soonest_close_first_with_totals() -> None:
    deals = [
        {"deal_id": "d1", "stage": "proposal", "expected_amount": usd("100.50"), "forecast_close": "2026-03-01"},
        {"deal_id": "d2", "stage": "proposal", "expected_amount": usd("200.00"), "forecast_close": "2026-02-01"},
        {"deal_id": "d3", "stage": "qualified", "expected_amount": {"amount": "50", "currency": "EUR"},
         "forecast_close": "2026-04-01"},
        {"deal_id": "d4", "stage": "won", "expected_amount": usd("999")},  # not open: left out
    ]  # fmt: skip
    columns = {c.stage: c for c in pipeline_by_stage(deals, {"d2": "Globex"})}
    assert list(columns) == ["approved", "qualified", "proposal", "negotiation"]
    assert [d["deal_id"] for d in columns["proposal"].deals] == ["d2", "d1"]
    assert columns["proposal"].deals[0]["customer_name"] == "Globex"
    assert columns["proposal"].totals == {"USD": Decimal("300.50")}
    assert columns["qualified"].totals == {"EUR": Decimal("50")}
    assert columns["negotiation"].deals == []


def test_next_tier_needs_revenue_in_a_listed_currency_and_points() -> None:
    step = next_tier(RULES, "registered", {"USD": Decimal("100000")}, 12)
    assert step is not None
    assert (step.tier, step.revenue_needed, step.points_needed, step.currency) == ("silver", Decimal(250000), 30, "USD")
    assert step.revenue_share == 40  # 100,000 / 250,000
    assert step.points_share == 40  # 12 / 30
    assert next_tier(RULES, "gold", {"USD": Decimal(1)}, 0) is None  # the top tier


def test_engagement_points_weigh_each_activity_by_the_program() -> None:
    activities = [{"kind": "quarterly_business_review"}] * 2 + [{"kind": "certification"}, {"kind": "webinar"}]
    assert engagement_points(activities, RULES) == 10 + 10 + 8 + 0


def test_won_revenue_in_the_window_is_net_of_reversals_and_leaves_rejected_deals_out() -> None:
    won = [
        {"closed_on": "2026-01-10", "amount": usd("1000.00"), "reversed_amount": usd("250.00"), "status": "won"},
        {"closed_on": "2025-01-10", "amount": usd("5000.00"), "status": "won"},  # before the window
        {"closed_on": "2026-02-01", "amount": usd("700.00"), "status": "rejected"},
    ]
    assert won_in_window(won, date(2025, 12, 4)) == {"USD": Decimal("750.00")}


def test_partner_safe_rules_drop_other_partners_targets() -> None:
    safe = partner_safe_rules(RULES)
    assert "by_partner" not in safe["growth_accelerator"]["quarterly_target"]
    assert safe["growth_accelerator"]["quarterly_target"]["default"] == {"USD": "1"}
    assert safe["tiers"] == RULES["tiers"]


def test_program_money_reads_the_ledgers_reconciliation() -> None:
    reconciliation = {
        "forecast_vs_actual": [{"name": "forecast reward_expense", "currency": "USD", "actual": "1200.00"}],
        "checks": [
            {"name": "rewards expensed = settled payouts + open balances", "currency": "USD", "actual": "5000.00"},
            {"name": "payout lines paid = journal rebates_paid", "currency": "USD", "actual": "3000.00"},
            {"name": "payout lines in payment = journal rebates_in_payment", "currency": "USD", "actual": "500.00"},
        ],
    }
    figures = program_money(reconciliation, {"USD": Decimal("300.00")})["USD"]
    assert figures["reward_cost"] == Decimal("1200.00")
    assert figures["payable"] == Decimal("1200.00")  # 5000 - 3000 - 500 - 300
    assert (figures["paid"], figures["in_payment"], figures["held"]) == (Decimal(3000), Decimal(500), Decimal(300))


def test_quarter_bounds() -> None:
    assert quarter_bounds("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_bounds("2027-Q1") == (date(2027, 1, 1), date(2027, 3, 31))


def test_money_is_shown_exactly_to_the_cent_or_finer_when_recorded_finer() -> None:
    assert money(usd("7050.0000")) == "USD 7,050.00"
    assert money(usd("1234.5")) == "USD 1,234.50"
    assert money({"amount": "0.1234", "currency": "USD"}) == "USD 0.1234"
    assert money(None) == "—"
    assert percent("0.425") == "42.5 %"


def test_the_partner_lists_trend_compares_this_quarters_won_revenue_with_the_last() -> None:
    trend = won_trend([{"period": "2026-Q3", "won_revenue": usd("800.00")},
                       {"period": "2026-Q4", "won_revenue": usd("1000.00")}])  # fmt: skip
    assert trend is not None
    assert trend.change == Decimal("0.25")  # (1000 - 800) / 800
    assert won_trend([{"won_revenue": usd("0")}, {"won_revenue": usd("5")}]).change is None  # type: ignore[union-attr]
    assert won_trend([]) is None
    assert shift_quarter(date(2026, 1, 1), -1) == date(2025, 10, 1)
