"""Periods (open/closed, the first lock every fund-moving unit takes) and program budgets."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.budget import ProgramBudget
from ..domain.period_close import PeriodState, PeriodStatus
from .amounts import stored
from .tables import periods, program_budgets


class SqlPeriods:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def lock(self, period: str, *, exclusive: bool = False) -> PeriodState:
        await self.conn.execute(insert(periods).values(period=period).on_conflict_do_nothing(index_elements=["period"]))
        stmt = select(periods).where(periods.c.period == period).with_for_update(read=not exclusive)
        return _period((await self.conn.execute(stmt)).one())

    async def get(self, period: str) -> PeriodState | None:
        row = (await self.conn.execute(select(periods).where(periods.c.period == period))).first()
        return None if row is None else _period(row)

    async def save(self, state: PeriodState) -> None:
        await self.conn.execute(
            periods.update()
            .where(periods.c.period == state.period)
            .values(status=state.status.value, closed_on=state.closed_on, closed_as_of=state.closed_as_of)
        )


class SqlBudgets:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, period: str, currency: str, *, for_update: bool = False) -> ProgramBudget | None:
        stmt = select(program_budgets).where(program_budgets.c.period == period, program_budgets.c.currency == currency)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else _budget(row)

    async def save(self, budget: ProgramBudget) -> None:
        values = {"amount": budget.amount, "allocated": budget.allocated}
        stmt = insert(program_budgets).values(period=budget.period, currency=budget.currency, **values)
        await self.conn.execute(stmt.on_conflict_do_update(index_elements=["period", "currency"], set_=values))

    async def list(self, period: str) -> list[ProgramBudget]:
        stmt = select(program_budgets).where(program_budgets.c.period == period).order_by(program_budgets.c.currency)
        return [_budget(r) for r in await self.conn.execute(stmt)]


def _period(row: Row) -> PeriodState:  # type: ignore[type-arg]
    return PeriodState(row.period, PeriodStatus(row.status), row.closed_on, row.closed_as_of)


def _budget(row: Row) -> ProgramBudget:  # type: ignore[type-arg]
    return ProgramBudget(
        row.period, row.currency, stored(row.amount, row.currency), stored(row.allocated, row.currency)
    )
