"""GET /funds: every fund position across partners, a keyset page at a time (the ledger's
cross-service reconciliation reads it). A partner-bound token sees only its own partner's funds."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from servicekit import pagination
from servicekit.auth import Principal, requires

from ..application import queries
from ..domain.fund import Fund
from .deps import READ_OWN, Container, own_partner, page_limit, read
from .schemas import PositionOut

router = APIRouter(tags=["funds"])
READERS = (*READ_OWN, "audit:read")
FundKey = tuple[str, str, str]


class FundPositionOut(PositionOut):
    """One fund (partner, period, currency): available = allocated + accrued - reserved - disbursed - expired."""

    partner_id: str
    period: str

    @classmethod
    def of(cls, f: Fund) -> FundPositionOut:
        return cls(partner_id=f.partner_id, period=f.period, **PositionOut.of(f).model_dump())


class FundPositionPage(BaseModel):
    items: list[FundPositionOut]
    next_cursor: str | None


def _encode(key: FundKey | None) -> str | None:
    return None if key is None else pagination.encode_cursor(orjson.dumps(list(key)).decode())


def _decode(cursor: str | None) -> FundKey | None:
    value = pagination.decode_cursor(cursor)
    if value is None:
        return None
    try:
        key = orjson.loads(value) if isinstance(value, str) else None
    except orjson.JSONDecodeError:
        key = None
    if not (isinstance(key, list) and len(key) == 3 and all(isinstance(k, str) for k in key)):
        raise pagination.InvalidCursor("the cursor is not one this API returned")
    return (key[0], key[1], key[2])


@router.get("/funds")
async def list_fund_positions(
    principal: Annotated[Principal, Depends(requires(*READERS, partner_bound="confine"))],
    container: Container,
    partner_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> FundPositionPage:
    """Fund positions in (partner, period, currency) order; follow ``next_cursor`` until it is null."""
    after = _decode(cursor)
    limit = page_limit(container, limit)
    partner = own_partner(principal, partner_id)
    page = await read(
        container, lambda unit: queries.all_fund_positions(unit, partner_id=partner, after=after, limit=limit)
    )
    return FundPositionPage(items=[FundPositionOut.of(f) for f in page.items], next_cursor=_encode(page.next_after))
