"""For auditors (``audit:read``, read-only): the consumed events with their offsets, in the order the
ledger applied them, and the head of every hash chain (to compare with an independent replay)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from servicekit.auth import Principal, requires
from servicekit.pagination import decode_cursor, decode_int_cursor

from .deps import Queries
from .response_docs import ChainHeadOut, ChainHeadPageOut, ConsumedEventOut, ConsumedEventPageOut

router = APIRouter(tags=["audit"])
AUDITORS = requires("audit:read")
MAX_LIMIT = 1000


@router.get("/audit/events")
async def consumed(
    principal: Annotated[Principal, Depends(AUDITORS)],
    reads: Queries,
    topic: str | None = None,
    partner_id: str | None = None,
    event_type: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> ConsumedEventPageOut:
    """Every event the ledger consumed: topic, partition, offset, and the event as received."""
    page = await reads.consumed_events(
        topic=topic, partner_id=partner_id, event_type=event_type, after=decode_int_cursor(cursor), limit=limit
    )
    items = [ConsumedEventOut.model_validate(vars(e)) for e in page.items]
    return ConsumedEventPageOut(items=items, next_cursor=page.next_cursor)


@router.get("/audit/chain-heads")
async def heads(
    principal: Annotated[Principal, Depends(AUDITORS)],
    reads: Queries,
    partner_id: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 500,
) -> ChainHeadPageOut:
    """The last sequence and hash of each partner stream's chain, in (partner, stream) order."""
    after = decode_cursor(cursor)
    key = None
    if after is not None:
        partner, _, stream = str(after).partition("\n")
        key = (partner, stream)
    page = await reads.chain_heads(partner_id=partner_id, after=key, limit=limit)
    return ChainHeadPageOut(
        items=[ChainHeadOut.model_validate(vars(h)) for h in page.items], next_cursor=page.next_cursor
    )
