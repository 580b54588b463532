"""What partners read: balances by category and statements (opening, lines, closing), JSON or CSV.

Partner accounts are credit-normal here: a positive amount is what the vendor owes (or paid) the
partner. Stored postings are debit-positive, so they are negated once, in this module.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ..domain.accounts import CATEGORIES, purpose_of

CATEGORY_NAMES = ("available", "held", "pending", "paid", "capped")


@dataclass(frozen=True)
class AccountBalance:
    account: str
    purpose: str
    fund: str
    category: str
    currency: str
    balance: Decimal


@dataclass
class FundTotals:
    fund: str
    currency: str
    available: Decimal = Decimal(0)
    held: Decimal = Decimal(0)
    pending: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    capped: Decimal = Decimal(0)


def account_balance(account: str, currency: str, stored: Decimal) -> AccountBalance:
    purpose = purpose_of(account)
    fund, category = CATEGORIES.get(purpose, ("other", purpose))
    return AccountBalance(account, purpose, fund, category, currency, -stored + 0)


def partner_view(rows: Iterable[tuple[str, str, Decimal]]) -> tuple[list[AccountBalance], list[FundTotals]]:
    accounts = [account_balance(a, c, b) for a, c, b in rows]
    totals: dict[tuple[str, str], FundTotals] = {}
    for a in accounts:
        if a.category not in CATEGORY_NAMES:
            continue
        t = totals.setdefault((a.fund, a.currency), FundTotals(a.fund, a.currency))
        setattr(t, a.category, getattr(t, a.category) + a.balance)
    return accounts, [totals[k] for k in sorted(totals)]


@dataclass(frozen=True)
class StatementLine:
    effective_on: date
    entry_id: str
    kind: str
    deal_id: str | None
    account: str
    currency: str
    amount: Decimal
    balance_after: Decimal
    explanation: str
    reverses: str | None


@dataclass
class Statement:
    partner_id: str
    period_from: date
    period_to: date
    currency: str | None
    opening: list[AccountBalance] = field(default_factory=list)
    lines: list[StatementLine] = field(default_factory=list)
    closing: list[AccountBalance] = field(default_factory=list)


def build_statement(
    partner_id: str,
    period_from: date,
    period_to: date,
    currency: str | None,
    opening_rows: Iterable[tuple[str, str, Decimal]],
    line_rows: Iterable[Any],
) -> Statement:
    statement = Statement(partner_id, period_from, period_to, currency)
    running: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for account, cur, stored in opening_rows:
        running[(account, cur)] = -stored + 0
    statement.opening = [account_balance(a, c, -b) for (a, c), b in sorted(running.items())]
    for row in line_rows:
        key = (row.account, row.currency)
        amount = -row.amount + 0
        running[key] += amount
        statement.lines.append(
            StatementLine(
                effective_on=row.effective_at.date(),
                entry_id=row.entry_id,
                kind=row.kind,
                deal_id=row.deal_id,
                account=row.account,
                currency=row.currency,
                amount=amount,
                balance_after=running[key],
                explanation=str(row.explanation.get("summary", row.kind)),
                reverses=row.reverses,
            )
        )
    statement.closing = [account_balance(a, c, -b) for (a, c), b in sorted(running.items())]
    return statement


def statement_csv(statement: Statement) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["section", "date", "entry_id", "kind", "deal_id", "account", "currency", "amount", "balance", "explanation"]
    )
    for a in statement.opening:
        writer.writerow(["opening", statement.period_from, "", "", "", a.account, a.currency, "", a.balance, ""])
    for line in statement.lines:
        writer.writerow(
            [
                "entry",
                line.effective_on,
                line.entry_id,
                line.kind,
                line.deal_id or "",
                line.account,
                line.currency,
                line.amount,
                line.balance_after,
                line.explanation,
            ]
        )
    for a in statement.closing:
        writer.writerow(["closing", statement.period_to, "", "", "", a.account, a.currency, "", a.balance, ""])
    return out.getvalue()
