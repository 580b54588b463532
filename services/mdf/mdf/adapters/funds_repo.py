"""Fund rows, one per (partner, period, currency): locked FOR UPDATE whenever money moves."""

from __future__ import annotations

from sqlalchemy import and_, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.ports import FundPage
from ..domain.fund import Fund
from .amounts import stored
from .tables import funds

FundKey = tuple[str, str, str]
_KEY = (funds.c.partner_id, funds.c.period, funds.c.currency)


class SqlFunds:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def lock(self, partner_id: str, period: str, currency: str) -> Fund:
        return (await self.lock_many([(partner_id, period, currency)]))[(partner_id, period, currency)]

    async def lock_many(self, keys: list[FundKey]) -> dict[FundKey, Fund]:
        """Create missing rows, then lock all of them in key order (the sort runs below the lock)."""
        if not keys:
            return {}
        ordered = sorted(set(keys))
        rows = [{"partner_id": p, "period": q, "currency": c} for p, q, c in ordered]
        await self.conn.execute(insert(funds).values(rows).on_conflict_do_nothing())
        stmt = select(funds).where(tuple_(*_KEY).in_(ordered)).order_by(*_KEY).with_for_update()
        return {fund.key: fund for fund in map(_fund, await self.conn.execute(stmt))}

    async def lock_period(self, period: str) -> list[Fund]:
        stmt = select(funds).where(funds.c.period == period).order_by(*_KEY).with_for_update()
        return [_fund(r) for r in await self.conn.execute(stmt)]

    async def get(self, partner_id: str, period: str, currency: str) -> Fund | None:
        stmt = select(funds).where(
            and_(funds.c.partner_id == partner_id, funds.c.period == period, funds.c.currency == currency)
        )
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else _fund(row)

    async def save(self, fund: Fund) -> None:
        values = {
            "allocated": fund.allocated,
            "accrued": fund.accrued,
            "reserved": fund.reserved,
            "claimed": fund.claimed,
            "disbursed": fund.disbursed,
            "expired": fund.expired,
        }
        stmt = insert(funds).values(partner_id=fund.partner_id, period=fund.period, currency=fund.currency, **values)
        await self.conn.execute(
            stmt.on_conflict_do_update(index_elements=["partner_id", "period", "currency"], set_=values)
        )

    async def page(self, *, partner_id: str | None, after: FundKey | None, limit: int) -> FundPage:
        """Every fund in key order (partner, period, currency), ``limit`` at a time after ``after``."""
        stmt = select(funds)
        if partner_id is not None:
            stmt = stmt.where(funds.c.partner_id == partner_id)
        if after is not None:
            stmt = stmt.where(tuple_(*_KEY) > tuple_(*after))
        rows = [_fund(r) for r in await self.conn.execute(stmt.order_by(*_KEY).limit(limit + 1))]
        return FundPage(rows[:limit], rows[limit - 1].key if len(rows) > limit else None)

    async def list(self, partner_id: str, period: str | None = None) -> list[Fund]:
        stmt = select(funds).where(funds.c.partner_id == partner_id)
        if period is not None:
            stmt = stmt.where(funds.c.period == period)
        return [_fund(r) for r in await self.conn.execute(stmt.order_by(funds.c.period, funds.c.currency))]


def _fund(row: Row) -> Fund:  # type: ignore[type-arg]
    return Fund(
        partner_id=row.partner_id,
        period=row.period,
        currency=row.currency,
        allocated=stored(row.allocated, row.currency),
        accrued=stored(row.accrued, row.currency),
        reserved=stored(row.reserved, row.currency),
        claimed=stored(row.claimed, row.currency),
        disbursed=stored(row.disbursed, row.currency),
        expired=stored(row.expired, row.currency),
    )
