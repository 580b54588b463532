"""Aggregate streams in PostgreSQL: events in ``stream_events``, one ``streams`` row per stream
(whose it is, label, status, version) for locking, lists and filters."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any

from incentive_contracts import registry
from incentive_contracts.money import RECORDED
from incentive_contracts.payload import EventPayload
from servicekit.keyset import fetch_page
from sqlalchemy import Select, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.ports import Page, StreamFilter, StreamRow
from ..domain.errors import AlreadyExists
from .tables import stream_events, streams


def decode(event_type: str, version: int, data: dict[str, Any]) -> EventPayload:
    """A recorded event (read tolerantly on money: it was checked when recorded)."""
    return registry.models()[(event_type, version)].model_validate(data, context=RECORDED)


class SqlStreams:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def load(self, stream_id: str, *, for_update: bool = False) -> list[EventPayload]:
        if for_update:
            await self.conn.execute(
                select(streams.c.stream_id).where(streams.c.stream_id == stream_id).with_for_update()
            )
        stmt = select(stream_events).where(stream_events.c.stream_id == stream_id).order_by(stream_events.c.position)
        return [decode(r.event_type, r.event_version, r.data) for r in await self.conn.execute(stmt)]

    async def append(
        self, stream_id: str, kind: str, row: StreamRow, expected: int, events: Sequence[EventPayload]
    ) -> None:
        values = {"partner_id": row.partner_id, "label": row.label, "status": row.status}
        version = expected + len(events)
        if expected == 0:
            stmt = insert(streams).values(stream_id=stream_id, kind=kind, version=version, **values)
            inserted = await self.conn.execute(stmt.on_conflict_do_nothing().returning(streams.c.stream_id))
            if inserted.scalar() is None:
                raise AlreadyExists(f"{kind} {stream_id.split(':', 1)[1]} already exists (or its partner has one)")
        else:
            await self.conn.execute(
                update(streams).where(streams.c.stream_id == stream_id).values(version=version, **values)
            )
        await self.conn.execute(
            stream_events.insert(),
            [
                {
                    "stream_id": stream_id,
                    "position": expected + i + 1,
                    "event_type": e.event_type,
                    "event_version": e.version,
                    "data": e.model_dump(mode="json"),
                }
                for i, e in enumerate(events)
            ],
        )

    async def page(self, kind: str, where: StreamFilter, *, after: int | None, limit: int) -> Page[list[EventPayload]]:
        found = await fetch_page(
            self.conn, _filtered(kind, where), streams.c.seq, after=after, limit=limit, convert=_stream_id
        )
        events = await self._events_of(found.items)
        return Page([events[s] for s in found.items], found.next_cursor)

    async def every(self, kind: str, where: StreamFilter) -> list[list[EventPayload]]:
        ids = [r.stream_id for r in await self.conn.execute(_filtered(kind, where).order_by(streams.c.seq))]
        events = await self._events_of(ids)
        return [events[s] for s in ids]

    async def partners(self, kind: str) -> list[str]:
        stmt = select(streams.c.partner_id).where(streams.c.kind == kind, streams.c.partner_id.is_not(None)).distinct()
        return [r.partner_id for r in await self.conn.execute(stmt)]

    async def _events_of(self, stream_ids: list[str]) -> dict[str, list[EventPayload]]:
        if not stream_ids:
            return {}
        stmt = (
            select(stream_events)
            .where(stream_events.c.stream_id.in_(stream_ids))
            .order_by(stream_events.c.stream_id, stream_events.c.position)
        )
        rows = (await self.conn.execute(stmt)).all()
        return {
            stream_id: [decode(r.event_type, r.event_version, r.data) for r in group]
            for stream_id, group in groupby(rows, key=lambda r: r.stream_id)
        }


def _filtered(kind: str, where: StreamFilter) -> Select[Any]:
    stmt = select(streams.c.stream_id, streams.c.seq).where(streams.c.kind == kind)
    if where.partner_id is not None:
        stmt = stmt.where(streams.c.partner_id == where.partner_id)
    if where.label is not None:
        stmt = stmt.where(streams.c.label == where.label)
    if where.statuses:
        stmt = stmt.where(streams.c.status.in_(where.statuses))
    return stmt


def _stream_id(row: Row[Any]) -> str:
    return str(row.stream_id)
