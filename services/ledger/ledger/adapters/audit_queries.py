"""Read-side queries for auditors and simulation readers: consumed events, chain heads, simulations."""

from __future__ import annotations

from typing import Any

import orjson
from incentive_kernel.paging import Page
from servicekit.keyset import fetch_page
from servicekit.pagination import encode_cursor
from servicekit.tables import consumed_events
from sqlalchemy import ColumnElement, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.queries import ChainHeadView, ConsumedEvent, StoredSimulation
from .tables import chain_heads, simulations


def _consumed(r: Any) -> ConsumedEvent:
    return ConsumedEvent(
        consumed_seq=r.consumed_seq,
        event_id=r.event_id,
        consumer_group=r.consumer_group,
        topic=r.topic,
        partition=r.partition,
        offset=r.offset,
        event_type=r.event_type,
        partner_id=r.subject,
        event_time=r.event_time,
        event=orjson.loads(r.payload),
    )


async def consumed_page(
    conn: AsyncConnection,
    *,
    topic: str | None,
    partner_id: str | None,
    event_type: str | None,
    after: int | None,
    limit: int,
) -> Page[ConsumedEvent]:
    """Every event the ledger consumed, in the order it applied them."""
    stmt = select(consumed_events)
    if topic is not None:
        stmt = stmt.where(consumed_events.c.topic == topic)
    if partner_id is not None:
        stmt = stmt.where(consumed_events.c.subject == partner_id)
    if event_type is not None:
        stmt = stmt.where(consumed_events.c.event_type == event_type)
    return await fetch_page(conn, stmt, consumed_events.c.consumed_seq, after=after, limit=limit, convert=_consumed)


async def chain_head_page(
    conn: AsyncConnection, *, partner_id: str | None, after: tuple[str, str] | None, limit: int
) -> Page[ChainHeadView]:
    """Each partner stream's chain head in (partner, stream) order (a two-column key)."""
    stmt = select(chain_heads).order_by(chain_heads.c.partner_id, chain_heads.c.stream).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(tuple_(chain_heads.c.partner_id, chain_heads.c.stream) > after)
    if partner_id is not None:
        stmt = stmt.where(chain_heads.c.partner_id == partner_id)
    rows = (await conn.execute(stmt)).all()
    page = rows[:limit]
    more = len(rows) > limit
    return Page(
        [ChainHeadView(r.partner_id, r.stream, r.last_sequence, r.head_hash) for r in page],
        encode_cursor(f"{page[-1].partner_id}\n{page[-1].stream}") if more else None,
    )


def _visible(partner_scope: str | None) -> ColumnElement[bool]:
    """A partner token sees the simulations of its own partner only (not those of every partner)."""
    if partner_scope is None:
        return true()
    return simulations.c.partner_scope == partner_scope


def _simulation(r: Any) -> StoredSimulation:
    return StoredSimulation(r.simulation_id, r.created_at, r.created_by, r.result)


async def simulation_page(
    conn: AsyncConnection, *, partner_scope: str | None, after: int | None, limit: int
) -> Page[StoredSimulation]:
    """Newest first: the key runs down, so the page is cut here rather than by ``fetch_page``."""
    stmt = select(simulations).where(_visible(partner_scope))
    if after is not None:
        stmt = stmt.where(simulations.c.simulation_seq < after)
    rows = (await conn.execute(stmt.order_by(simulations.c.simulation_seq.desc()).limit(limit + 1))).all()
    page = rows[:limit]
    return Page([_simulation(r) for r in page], encode_cursor(page[-1].simulation_seq) if len(rows) > limit else None)


async def simulation(conn: AsyncConnection, simulation_id: str, partner_scope: str | None) -> StoredSimulation | None:
    stmt = select(simulations).where(simulations.c.simulation_id == simulation_id, _visible(partner_scope))
    row = (await conn.execute(stmt)).first()
    return None if row is None else _simulation(row)
