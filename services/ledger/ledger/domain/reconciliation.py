"""Quarterly reconciliation: forecast against actual, and the journal against itself.

Actuals of a period are sums of postings effective in it: reward expense (the program reward expense
accounts, net of clawbacks), MDF usage (funds disbursed) and payouts (settled to partners). The checks
hold as of the period's end: rewards expensed equal settled payouts plus open balances (payable, held,
in payment), capped memos agree, MDF funded equals MDF held, postings sum to zero, and the payout
records agree with the journal. Every check is reported with both sides; failures are listed, never
dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from . import accounts

REWARD_EXPENSES = ("rebate_expense", "growth_accelerator_expense", "registration_bonus_expense", "spiff_expense")
REWARD_ACCOUNTS = (accounts.REBATES_PAYABLE, accounts.REBATES_HELD, accounts.REBATES_IN_PAYMENT, accounts.REBATES_PAID)
MDF_ACCOUNTS = (accounts.MDF_AVAILABLE, accounts.MDF_HELD, accounts.MDF_RESERVED, accounts.MDF_DISBURSED)
ZERO = Decimal(0)


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """``2026-Q1`` -> [2026-01-01, 2026-04-01) in UTC."""
    try:
        year_text, quarter_text = period.split("-Q")
        year, quarter = int(year_text), int(quarter_text)
    except ValueError:
        raise ValueError(f"period {period!r} is not YYYY-Qn") from None
    if not 1 <= quarter <= 4 or not 1970 <= year <= 9999:
        raise ValueError(f"period {period!r} is not YYYY-Qn")
    start = datetime(year, 3 * quarter - 2, 1, tzinfo=UTC)
    end = datetime(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1, tzinfo=UTC)
    return start, end


@dataclass(frozen=True)
class Sums:
    """Posting sums (debit positive) by (owner, purpose) for one currency: in the period and to its end."""

    in_period: Mapping[tuple[str, str], Decimal]
    to_date: Mapping[tuple[str, str], Decimal]

    def period(self, owner: str, *purposes: str) -> Decimal:
        return sum((self.in_period.get((owner, p), ZERO) for p in purposes), ZERO)

    def total(self, owner: str, *purposes: str) -> Decimal:
        return sum((self.to_date.get((owner, p), ZERO) for p in purposes), ZERO)

    def everything(self) -> Decimal:
        return sum(self.to_date.values(), ZERO)


@dataclass(frozen=True)
class PayoutRecords:
    """From the payout lines: paid to the period's end, in payment at its end, paid in the period."""

    paid_to_date: Decimal = ZERO
    in_payment: Decimal = ZERO
    paid_in_period: Decimal = ZERO


@dataclass(frozen=True)
class Forecast:
    reward_expense: Decimal
    mdf_usage: Decimal
    payouts: Decimal


@dataclass(frozen=True)
class Line:
    name: str
    currency: str
    expected: Decimal | None
    actual: Decimal
    note: str

    @property
    def difference(self) -> Decimal | None:
        return None if self.expected is None else self.actual - self.expected

    @property
    def ok(self) -> bool:
        return self.difference == 0


@dataclass
class Reconciliation:
    period: str
    start: date
    end: date
    forecast: list[Line] = field(default_factory=list)
    checks: list[Line] = field(default_factory=list)

    @property
    def differences(self) -> list[Line]:
        return [x for x in self.forecast + self.checks if not x.ok]


def reconcile(
    period: str,
    sums: Mapping[str, Sums],
    payouts: Mapping[str, PayoutRecords],
    forecasts: Mapping[str, Forecast],
) -> Reconciliation:
    start, end = period_bounds(period)
    report = Reconciliation(period, start.date(), end.date())
    for currency in sorted(set(sums) | set(forecasts) | set(payouts)):
        s = sums.get(currency, Sums({}, {}))
        records = payouts.get(currency, PayoutRecords())
        plan = forecasts.get(currency)
        actual = {
            "reward_expense": s.period("program", *REWARD_EXPENSES),
            "mdf_usage": -s.period("partner", accounts.MDF_DISBURSED),
            "payouts": -s.period("partner", accounts.REBATES_PAID),
        }
        for name, value in actual.items():
            expected = getattr(plan, name) if plan is not None else None
            note = "forecast recorded by finance" if plan is not None else "no forecast recorded for this currency"
            report.forecast.append(Line(f"forecast {name}", currency, expected, value, note))
        report.checks += _checks(currency, s, records)
    return report


def _checks(currency: str, s: Sums, records: PayoutRecords) -> list[Line]:
    earned = s.total("program", *REWARD_EXPENSES)
    open_and_paid = -s.total("partner", *REWARD_ACCOUNTS)
    return [
        Line("rewards expensed = settled payouts + open balances", currency, earned, open_and_paid,
             "program reward expense to date against partner payable + held + in payment + paid"),
        Line("capped rewards: program memo = partner memo", currency, s.total("program", accounts.REWARDS_CAPPED),
             -s.total("partner", accounts.REBATES_CAPPED), "recorded above a cap, never paid"),
        Line("MDF funded = MDF held by partners", currency, s.total("vendor", "mdf_expense")
             + s.total("program", accounts.MDF_ACCRUAL_EXPENSE), -s.total("partner", *MDF_ACCOUNTS),
             "allocations and accruals net of expiries, against available + reserved + disbursed"),
        Line("postings sum to zero", currency, ZERO, s.everything(), "every entry is balanced"),
        Line("payout lines paid = journal rebates_paid", currency, records.paid_to_date,
             -s.total("partner", accounts.REBATES_PAID), "acknowledged paid lines to the period's end"),
        Line("payout lines in payment = journal rebates_in_payment", currency, records.in_payment,
             -s.total("partner", accounts.REBATES_IN_PAYMENT), "lines cut and not acknowledged at the period's end"),
        Line("payout lines paid in the period = payouts in the period", currency, records.paid_in_period,
             -s.period("partner", accounts.REBATES_PAID), "acknowledged in the period"),
    ]  # fmt: skip
