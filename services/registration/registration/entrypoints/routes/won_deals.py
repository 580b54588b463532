"""GET /won-deals: every won deal with its money (won amount, close date, reversed amount) and its
open flags, a keyset page at a time. The ledger's cross-service reconciliation reads it; a partner
token sees only its own partner's deals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from incentive_contracts.events.deal import FlagReason
from incentive_contracts.money import DecimalString, Money
from pydantic import BaseModel, Field
from servicekit.auth import Principal, requires

from ...application import deals as cases
from ...domain.deal import Deal
from ..deps import READ_SCOPES, Container, read
from ..schemas.common import PageOut

router = APIRouter(prefix="/won-deals", tags=["deals"])
Reader = Annotated[Principal, Depends(requires(*READ_SCOPES, "audit:read", partner_bound="confine"))]


class WonDealOut(BaseModel):
    deal_id: str
    partner_id: str
    status: str = Field(description="won, or reversed once a reversal took it all back")
    amount: Money = Field(description="the won amount")
    closed_on: date
    reversed_amount: DecimalString = Field(description="reversed so far, in the won amount's currency")
    open_flags: list[FlagReason] = Field(description="flags not cleared: the deal's rewards are held")

    @classmethod
    def of(cls, deal: Deal) -> WonDealOut:
        assert deal.final_amount is not None  # a won deal has both
        assert deal.closed_on is not None
        return cls(
            deal_id=deal.deal_id,
            partner_id=deal.partner_id,
            status=deal.status.value,
            amount=deal.final_amount,
            closed_on=deal.closed_on,
            reversed_amount=Decimal(deal.reversed_amount),
            open_flags=[f.reason for f in deal.open_flags],
        )


@router.get("")
async def list_won_deals(
    principal: Reader,
    container: Container,
    partner_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> PageOut[WonDealOut]:
    """Won deals in registration order; follow ``next_cursor`` until it is null."""
    if principal.partner_id is not None:
        if partner_id not in (None, principal.partner_id):
            return PageOut(items=[], next_cursor=None)
        partner_id = principal.partner_id
    page = await read(container, lambda unit: cases.won_deals(unit, partner_id=partner_id, cursor=cursor, limit=limit))
    return PageOut(items=[WonDealOut.of(d) for d in page.items], next_cursor=page.next_cursor)
