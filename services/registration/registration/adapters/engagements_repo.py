"""Engagement activities in PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

from incentive_contracts.events.engagement import EngagementKind
from servicekit.keyset import fetch_page
from servicekit.pagination import decode_cursor
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.ports import EngagementQuery, Page
from ..domain.engagement import Engagement
from .tables import engagements


class SqlEngagements:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, engagement_id: str) -> Engagement | None:
        row = (await self.conn.execute(select(engagements).where(engagements.c.engagement_id == engagement_id))).first()
        return None if row is None else _engagement(row._mapping)

    async def find_same(
        self, partner_id: str, kind: EngagementKind, occurred_on: date, evidence_ref: str
    ) -> Engagement | None:
        stmt = select(engagements).where(
            engagements.c.partner_id == partner_id,
            engagements.c.kind == kind.value,
            engagements.c.occurred_on == occurred_on,
            engagements.c.evidence_ref == evidence_ref,
        )
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else _engagement(row._mapping)

    async def add(self, engagement: Engagement, *, recorded_by: str) -> None:
        await self.conn.execute(
            insert(engagements).values(
                engagement_id=engagement.engagement_id,
                partner_id=engagement.partner_id,
                kind=engagement.kind.value,
                occurred_on=engagement.occurred_on,
                evidence_ref=engagement.evidence_ref,
                recorded_by=recorded_by,
            )
        )

    async def list(self, query: EngagementQuery) -> Page[Engagement]:
        stmt = select(engagements)
        if query.partner_id is not None:
            stmt = stmt.where(engagements.c.partner_id == query.partner_id)
        if query.kind is not None:
            stmt = stmt.where(engagements.c.kind == query.kind.value)
        if query.occurred_from is not None:
            stmt = stmt.where(engagements.c.occurred_on >= query.occurred_from)
        if query.occurred_to is not None:
            stmt = stmt.where(engagements.c.occurred_on <= query.occurred_to)
        after = decode_cursor(query.cursor)
        key = None if after is None else int(after)
        return await fetch_page(
            self.conn, stmt, engagements.c.seq, after=key, limit=query.limit, convert=lambda r: _engagement(r._mapping)
        )


def _engagement(row: Any) -> Engagement:
    return Engagement(
        row["engagement_id"], row["partner_id"], EngagementKind(row["kind"]), row["occurred_on"], row["evidence_ref"]
    )
