"""Reconciliation arithmetic on hand-made posting sums: forecasts against actuals, and each check."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from ledger.domain.reconciliation import Forecast, PayoutRecords, Sums, period_bounds, reconcile

D = Decimal


def test_period_bounds_are_the_quarter_in_utc():
    assert period_bounds("2026-Q4") == (datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert period_bounds("2026-Q1") == (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="YYYY-Qn"):
        period_bounds("2026-Q5")


def _sums() -> Sums:
    # 200.00 rebates expensed (150.00 this quarter), 20.00 clawed back this quarter; 100.00 paid this quarter,
    # 30.00 in payment, 50.00 payable; MDF 500.00 allocated, 120.00 disbursed this quarter.
    to_date = {
        ("program", "rebate_expense"): D("180.00"),
        ("partner", "rebates_payable"): D("-50.00"),
        ("partner", "rebates_in_payment"): D("-30.00"),
        ("partner", "rebates_paid"): D("-100.00"),
        ("vendor", "mdf_expense"): D("500.00"),
        ("partner", "mdf_available"): D("-380.00"),
        ("partner", "mdf_disbursed"): D("-120.00"),
    }
    in_period = {
        ("program", "rebate_expense"): D("130.00"),
        ("partner", "rebates_paid"): D("-100.00"),
        ("partner", "mdf_disbursed"): D("-120.00"),
    }
    return Sums(in_period, to_date)


def test_actuals_against_a_forecast_and_every_check_passing():
    report = reconcile(
        "2026-Q1",
        {"USD": _sums()},
        {"USD": PayoutRecords(paid_to_date=D("100.00"), in_payment=D("30.00"), paid_in_period=D("100.00"))},
        {"USD": Forecast(reward_expense=D("150.00"), mdf_usage=D("120.00"), payouts=D("90.00"))},
    )
    forecast = {x.name: (x.expected, x.actual, x.difference) for x in report.forecast}
    assert forecast == {
        "forecast reward_expense": (D("150.00"), D("130.00"), D("-20.00")),
        "forecast mdf_usage": (D("120.00"), D("120.00"), D("0.00")),
        "forecast payouts": (D("90.00"), D("100.00"), D("10.00")),
    }
    assert all(c.ok for c in report.checks)
    assert [x.name for x in report.differences] == ["forecast reward_expense", "forecast payouts"]


def test_a_missing_forecast_and_a_broken_journal_are_listed():
    sums = _sums()
    broken = Sums(sums.in_period, {**sums.to_date, ("partner", "rebates_payable"): D("-55.00")})
    report = reconcile("2026-Q1", {"USD": broken}, {"USD": PayoutRecords(D("90.00"), D("30.00"), D("100.00"))}, {})
    listed = {(x.name, x.expected, x.actual) for x in report.differences}
    assert ("forecast payouts", None, D("100.00")) in listed
    assert ("rewards expensed = settled payouts + open balances", D("180.00"), D("185.00")) in listed
    assert ("postings sum to zero", D("0"), D("-5.00")) in listed
    assert ("payout lines paid = journal rebates_paid", D("90.00"), D("100.00")) in listed


def test_mdf_held_on_a_flagged_deal_counts_as_mdf_held_by_partners():
    """Issue 12: an accrual of a flagged deal sits in mdf_held; the MDF check must count it."""
    sums = _sums()
    held = Sums(
        sums.in_period,
        {**sums.to_date, ("program", "mdf_accrual_expense"): D("40.00"), ("partner", "mdf_held"): D("-40.00")},
    )
    report = reconcile("2026-Q1", {"USD": held}, {"USD": PayoutRecords(D("100.00"), D("30.00"), D("100.00"))}, {})
    (mdf_check,) = [c for c in report.checks if c.name.startswith("MDF funded")]
    assert mdf_check.ok
