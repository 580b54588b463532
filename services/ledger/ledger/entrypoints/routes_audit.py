"""For auditors (``audit:read``, read-only): the consumed events with their offsets, in the order the
ledger applied them, and the head of every hash chain (to compare with an independent replay)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from servicekit.auth import Principal, requires
from servicekit.openapi import documented
from servicekit.pagination import decode_cursor, decode_int_cursor, encode_cursor
from servicekit.tables import consumed_events
from sqlalchemy import select, tuple_

from ..adapters.tables import chain_heads
from .response_docs import ChainHeadPageOut, ConsumedEventPageOut

router = APIRouter(tags=["audit"])
AUDITORS = requires("audit:read")
MAX_LIMIT = 1000


@router.get("/audit/events", **documented(ConsumedEventPageOut))
async def consumed(
    request: Request,
    principal: Annotated[Principal, Depends(AUDITORS)],
    topic: str | None = None,
    partner_id: str | None = None,
    event_type: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> dict[str, Any]:
    """Every event the ledger consumed: topic, partition, offset, and the event as received."""
    stmt = select(consumed_events).order_by(consumed_events.c.consumed_seq).limit(limit + 1)
    after = decode_int_cursor(cursor)
    if after is not None:
        stmt = stmt.where(consumed_events.c.consumed_seq > after)
    if topic is not None:
        stmt = stmt.where(consumed_events.c.topic == topic)
    if partner_id is not None:
        stmt = stmt.where(consumed_events.c.subject == partner_id)
    if event_type is not None:
        stmt = stmt.where(consumed_events.c.event_type == event_type)
    async with request.app.state.engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    page = rows[:limit]
    return {
        "items": [
            {
                "consumed_seq": r.consumed_seq,
                "event_id": r.event_id,
                "consumer_group": r.consumer_group,
                "topic": r.topic,
                "partition": r.partition,
                "offset": r.offset,
                "event_type": r.event_type,
                "partner_id": r.subject,
                "event_time": r.event_time,
                "event": orjson.loads(r.payload),
            }
            for r in page
        ],
        "next_cursor": encode_cursor(page[-1].consumed_seq) if len(rows) > limit else None,
    }


@router.get("/audit/chain-heads", **documented(ChainHeadPageOut))
async def heads(
    request: Request,
    principal: Annotated[Principal, Depends(AUDITORS)],
    partner_id: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 500,
) -> dict[str, Any]:
    """The last sequence and hash of each partner stream's chain, in (partner, stream) order."""
    stmt = select(chain_heads).order_by(chain_heads.c.partner_id, chain_heads.c.stream).limit(limit + 1)
    after = decode_cursor(cursor)
    if after is not None:
        partner, _, stream = str(after).partition("\n")
        stmt = stmt.where(tuple_(chain_heads.c.partner_id, chain_heads.c.stream) > (partner, stream))
    if partner_id is not None:
        stmt = stmt.where(chain_heads.c.partner_id == partner_id)
    async with request.app.state.engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    page = rows[:limit]
    return {
        "items": [
            {"partner_id": r.partner_id, "stream": r.stream, "last_sequence": r.last_sequence, "head_hash": r.head_hash}
            for r in page
        ],
        "next_cursor": encode_cursor(f"{page[-1].partner_id}\n{page[-1].stream}") if len(rows) > limit else None,
    }
