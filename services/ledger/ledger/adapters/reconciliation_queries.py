"""Sums for the reconciliation: postings by currency, owner and purpose; payout lines; forecasts."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.reconciliation import Forecast, PayoutRecords, Sums
from .tables import forecasts

POSTING_SUMS = text(
    """
    SELECT currency, split_part(account, ':', 1) AS owner, regexp_replace(account, '^.*:', '') AS purpose,
           coalesce(sum(amount) FILTER (WHERE effective_at >= :start), 0) AS in_period,
           sum(amount) AS to_date
    FROM postings WHERE effective_at < :end
    GROUP BY 1, 2, 3
    """
)
LINE_SUMS = text(
    """
    SELECT l.currency,
           coalesce(sum(l.amount) FILTER (WHERE l.status = 'paid' AND l.acknowledged_at < :end), 0) AS paid_to_date,
           coalesce(sum(l.amount) FILTER (WHERE b.cutoff < :end
               AND (l.status = 'in_payment' OR l.acknowledged_at >= :end)), 0) AS in_payment,
           coalesce(sum(l.amount) FILTER (WHERE l.status = 'paid' AND l.acknowledged_at >= :start
               AND l.acknowledged_at < :end), 0) AS paid_in_period
    FROM payout_lines l JOIN payout_batches b ON b.batch_id = l.batch_id
    GROUP BY 1
    """
)


async def posting_sums(conn: AsyncConnection, start: datetime, end: datetime) -> dict[str, Sums]:
    in_period: dict[str, dict[tuple[str, str], Decimal]] = defaultdict(dict)
    to_date: dict[str, dict[tuple[str, str], Decimal]] = defaultdict(dict)
    for r in await conn.execute(POSTING_SUMS, {"start": start, "end": end}):
        in_period[r.currency][(r.owner, r.purpose)] = r.in_period
        to_date[r.currency][(r.owner, r.purpose)] = r.to_date
    return {c: Sums(in_period[c], to_date[c]) for c in to_date}


async def payout_records(conn: AsyncConnection, start: datetime, end: datetime) -> dict[str, PayoutRecords]:
    return {
        r.currency: PayoutRecords(r.paid_to_date, r.in_payment, r.paid_in_period)
        for r in await conn.execute(LINE_SUMS, {"start": start, "end": end})
    }


async def period_forecasts(conn: AsyncConnection, period: str) -> dict[str, Forecast]:
    rows = await conn.execute(select(forecasts).where(forecasts.c.period == period))
    return {r.currency: Forecast(r.reward_expense, r.mdf_usage, r.payouts) for r in rows}


async def record_forecast(
    conn: AsyncConnection, period: str, currency: str, forecast: Forecast, by: str, now: datetime
) -> None:
    values = {
        "period": period,
        "currency": currency,
        "reward_expense": forecast.reward_expense,
        "mdf_usage": forecast.mdf_usage,
        "payouts": forecast.payouts,
        "recorded_at": now,
        "recorded_by": by,
    }
    stmt = insert(forecasts).values(values)
    stmt = stmt.on_conflict_do_update(index_elements=["period", "currency"], set_=values)
    await conn.execute(stmt)


class SqlForecasts:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def record(self, period: str, currency: str, forecast: Forecast, by: str, now: datetime) -> None:
        await record_forecast(self.conn, period, currency, forecast, by, now)
