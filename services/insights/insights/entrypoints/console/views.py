"""Shaping API answers into what a page shows: pure functions, no I/O (unit-tested)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

STAGES = ("approved", "qualified", "proposal", "negotiation")
GATES = ("registered", "approved", "qualified", "proposal", "negotiation", "won")
SAFE_RULES = ("tiers", "engagement_points", "rebate", "registration_bonus", "mdf_accrual", "clawback", "influence")


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(period: str) -> tuple[date, date]:
    year, q = int(period[:4]), int(period[-1])
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
    return start, end


def dec(value: Any) -> Decimal:
    if isinstance(value, dict):
        value = value.get("amount")
    try:
        return Decimal(str(value)) if value is not None else Decimal(0)
    except ArithmeticError:
        return Decimal(0)


@dataclass
class StageColumn:
    stage: str
    deals: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)


def pipeline_by_stage(deals: list[dict[str, Any]], names: dict[str, str] | None = None) -> list[StageColumn]:
    """Open deals in their stage, soonest forecast close first, with each stage's value per currency
    (insights' ``/partners/{id}/pipeline`` rows, named with the customer from registration when known)."""
    columns = {stage: StageColumn(stage) for stage in STAGES}
    for deal in deals:
        column = columns.get(str(deal.get("stage")))
        if column is None or deal.get("status", "approved") != "approved":
            continue
        close = deal.get("forecast_close") or deal.get("expected_close")
        name = (names or {}).get(str(deal.get("deal_id"))) or deal.get("customer_name") or deal.get("deal_id")
        column.deals.append({**deal, "forecast_close": close, "customer_name": name})
        money = deal.get("expected_amount") or {}
        currency = str(money.get("currency", ""))
        column.totals[currency] = column.totals.get(currency, Decimal(0)) + dec(money)
    for column in columns.values():
        column.deals.sort(key=lambda d: (str(d.get("forecast_close")), str(d.get("deal_id"))))
    return list(columns.values())


def gate_position(stage: str) -> int:
    """How many gates a deal has passed (for the portal's gate strip)."""
    return GATES.index(stage) if stage in GATES else 0


def balance_totals(balances: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The ledger's per-fund totals as rows: fund, currency, available (payable), held, pending, paid."""
    return list((balances or {}).get("totals") or [])


def money_summary(totals: list[dict[str, Any]]) -> dict[str, dict[str, Decimal]]:
    """Per currency: payable, held, in payment and paid rewards; MDF available, reserved, disbursed."""
    out: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in totals:
        cur = str(row.get("currency"))
        prefix = "rewards" if row.get("fund") == "rewards" else "mdf"
        for key in ("available", "held", "pending", "paid"):
            out[cur][f"{prefix}_{key}"] += dec(row.get(key))
    return {cur: dict(values) for cur, values in out.items()}


def won_in_window(won: list[dict[str, Any]], since: date) -> dict[str, Decimal]:
    """Won revenue net of reversals since a day, per currency (flag-confirmed deals left out)."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for deal in won:
        if str(deal.get("closed_on", "")) < since.isoformat() or deal.get("status") == "rejected":
            continue
        money = deal.get("amount") or {}
        out[str(money.get("currency"))] += dec(money) - dec(deal.get("reversed_amount"))
    return dict(out)


@dataclass(frozen=True)
class TierStep:
    tier: str
    name: str
    revenue_needed: Decimal | None
    revenue_have: Decimal
    points_needed: int
    points_have: int
    currency: str

    @property
    def revenue_share(self) -> int:
        if not self.revenue_needed:
            return 100
        return int(min(Decimal(100), self.revenue_have * 100 / self.revenue_needed))

    @property
    def points_share(self) -> int:
        return 100 if not self.points_needed else int(min(100, self.points_have * 100 // self.points_needed))


def next_tier(
    rules: dict[str, Any] | None, current: str | None, revenue: dict[str, Decimal], points: int
) -> TierStep | None:
    """What the next tier up needs (won revenue in one listed currency, and points) against what the partner has."""
    levels = list(((rules or {}).get("tiers") or {}).get("levels") or [])
    ids = [str(level.get("id")) for level in levels]
    position = ids.index(current) if current in ids else 0
    if position + 1 >= len(levels):
        return None
    target = levels[position + 1]
    qualify = target.get("qualify") or {}
    thresholds = qualify.get("won_revenue") or {}
    currency = next((c for c in revenue if c in thresholds), next(iter(thresholds), ""))
    needed = dec(thresholds.get(currency)) if currency in thresholds else None
    return TierStep(
        tier=str(target.get("id")), name=str(target.get("name") or target.get("id")), revenue_needed=needed,
        revenue_have=revenue.get(currency, Decimal(0)), points_needed=int(qualify.get("points") or 0),
        points_have=points, currency=currency,
    )  # fmt: skip


def engagement_points(engagements: list[dict[str, Any]], rules: dict[str, Any] | None) -> int:
    weights = (rules or {}).get("engagement_points") or {}
    return sum(int(weights.get(str(e.get("kind")), 0)) for e in engagements)


def partner_safe_rules(rules: dict[str, Any] | None) -> dict[str, Any]:
    """A program's rules without anything about other partners (per-partner targets), for the portal."""
    rules = rules or {}
    out = {key: rules[key] for key in SAFE_RULES if key in rules}
    accelerator = dict(rules.get("growth_accelerator") or {})
    if accelerator:
        target = dict(accelerator.get("quarterly_target") or {})
        target.pop("by_partner", None)
        out["growth_accelerator"] = {**accelerator, "quarterly_target": target}
    out["spiffs"] = list(rules.get("spiffs") or [])
    out["caps"] = rules.get("caps") or {}
    return out


def series(points: list[dict[str, Any]], *paths: str) -> dict[str, Any]:
    """Chart data from an indicator time series: labels and one list per dotted path (numbers as strings)."""
    labels = [str(p.get("period", "")) for p in points]
    data: dict[str, list[str | None]] = {}
    for path in paths:
        values: list[str | None] = []
        for point in points:
            value: Any = point
            for part in path.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, dict):
                value = value.get("amount")
            values.append(None if value is None else str(value))
        data[path] = values
    return {"labels": labels, "series": data}


def indicator_points(data: Any) -> list[dict[str, Any]]:
    """The periods of an indicator answer, oldest first, whatever the envelope (items / series / periods)."""
    if isinstance(data, dict):
        for key in ("series", "items", "periods"):
            if isinstance(data.get(key), list):
                return [p for p in data[key] if isinstance(p, dict)]
    return [p for p in data if isinstance(p, dict)] if isinstance(data, list) else []


CHECK_TOTAL = "rewards expensed = settled payouts + open balances"
CHECK_PAID = "payout lines paid = journal rebates_paid"
CHECK_IN_PAYMENT = "payout lines in payment = journal rebates_in_payment"


def program_money(reconciliation: dict[str, Any] | None, held: dict[str, Decimal]) -> dict[str, dict[str, Decimal]]:
    """Per currency, the program's reward money from the ledger's own quarterly reconciliation: the
    quarter's reward cost, and at its end paid and in payment (the journal's figures in its checks),
    held (what open anomaly flags keep back, from the queue) and payable = rewards expensed to date -
    paid - in payment - held (the ledger's check sums exactly those four balances)."""
    out: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for line in (reconciliation or {}).get("forecast_vs_actual") or []:
        if str(line.get("name", "")).endswith("reward_expense"):
            out[str(line.get("currency"))]["reward_cost"] = dec(line.get("actual"))
    lines = (reconciliation or {}).get("checks") or []
    checks = {(c.get("name"), c.get("currency")): dec(c.get("actual")) for c in lines}
    for (name, currency), value in checks.items():
        figures = out[str(currency)]
        if name == CHECK_TOTAL:
            figures["expensed"] = value
        elif name == CHECK_PAID:
            figures["paid"] = value
        elif name == CHECK_IN_PAYMENT:
            figures["in_payment"] = value
    for currency, figures in out.items():
        figures["held"] = held.get(currency, Decimal(0))
        if "expensed" in figures:
            figures["payable"] = (figures["expensed"] - figures.get("paid", Decimal(0))
                                  - figures.get("in_payment", Decimal(0)) - figures["held"])  # fmt: skip
    return {currency: figures for currency, figures in sorted(out.items())}


def shift_quarter(day: date, quarters: int) -> date:
    """The first day of the quarter ``quarters`` away from the one starting on ``day``."""
    months = day.year * 12 + day.month - 1 + 3 * quarters
    return date(months // 12, months % 12 + 1, 1)


@dataclass(frozen=True)
class Trend:
    """Won revenue this quarter against last quarter, for the partner list."""

    current: dict[str, Any]
    previous: dict[str, Any]

    @property
    def change(self) -> Decimal | None:
        before, now = dec(self.previous), dec(self.current)
        return None if before == 0 else (now - before) / before


def won_trend(points: list[dict[str, Any]]) -> Trend | None:
    if len(points) < 2:
        return None
    return Trend(current=points[-1].get("won_revenue") or {}, previous=points[-2].get("won_revenue") or {})
