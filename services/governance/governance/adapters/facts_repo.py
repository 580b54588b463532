"""Activity facts and the spot-audit population, set-based and idempotent by their keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.activity import ActivityFact
from ..domain.audit import AuditCandidate
from .tables import activity_facts, audit_population


class SqlFacts:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, facts: Sequence[ActivityFact]) -> int:
        if not facts:
            return 0
        rows = [
            {
                "fact_id": f.fact_id,
                "partner_id": f.partner_id,
                "metric": f.metric,
                "occurred_on": f.on,
                "quantity": f.quantity,
            }
            for f in facts
        ]
        stmt = insert(activity_facts).values(rows).on_conflict_do_nothing().returning(activity_facts.c.fact_id)
        return len((await self.conn.execute(stmt)).all())

    async def totals(self, partner_id: str, start: date, end: date) -> dict[str, Decimal]:
        stmt = (
            select(activity_facts.c.metric, func.sum(activity_facts.c.quantity).label("total"))
            .where(
                activity_facts.c.partner_id == partner_id,
                activity_facts.c.occurred_on >= start,
                activity_facts.c.occurred_on <= end,
            )
            .group_by(activity_facts.c.metric)
        )
        return {r.metric: Decimal(r.total) for r in await self.conn.execute(stmt)}

    async def partners(self) -> list[str]:
        return [r.partner_id for r in await self.conn.execute(select(activity_facts.c.partner_id).distinct())]


class SqlAuditPopulation:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, candidates: Sequence[AuditCandidate]) -> None:
        if candidates:
            rows = [
                {"item_kind": c.kind, "item_id": c.item_id, "partner_id": c.partner_id, "period": c.period}
                for c in candidates
            ]
            await self.conn.execute(insert(audit_population).values(rows).on_conflict_do_nothing())

    async def of_period(self, period: str) -> list[AuditCandidate]:
        stmt = select(audit_population).where(audit_population.c.period == period)
        return [AuditCandidate(r.item_kind, r.item_id, r.partner_id, r.period) for r in await self.conn.execute(stmt)]
