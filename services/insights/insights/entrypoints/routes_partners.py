"""GET /partners and /partners/{id}: the partner directory as insights knows it (tier, region,
vertical, program, enrolment quarter, programs rewarded under). A partner-bound token sees only its own."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from incentive_contracts.money import Money
from pydantic import BaseModel, Field
from servicekit.auth import Principal, requires
from servicekit.pagination import decode_text_cursor

from ..application.partners import get_partner, list_partners, open_pipeline
from ..application.ports import PartnerFilter
from ..domain.periods import quarter_of
from .csv_export import CSV_RESPONSES, Format, table_response
from .deps import READ_OWN, Container, Queries
from .schemas import PartnerOut, PartnerPage, money

router = APIRouter(tags=["partners"])
Reader = Annotated[Principal, Depends(requires(*READ_OWN, partner_bound="confine"))]
Text = Annotated[str | None, Query(min_length=1, max_length=64)]


@router.get("/partners", response_model=PartnerPage, responses=CSV_RESPONSES)
async def partners_list(
    request: Request,
    principal: Reader,
    queries: Queries,
    container: Container,
    tier: Text = None,
    region: Text = None,
    vertical: Text = None,
    program_id: Text = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    format: Format = "json",
) -> object:
    """Partners in id order, filtered by tier, region, vertical or program; follow ``next_cursor``."""
    where = PartnerFilter(principal.confine(None), tier, region, vertical, program_id)
    page = await list_partners(queries, where, decode_text_cursor(cursor), min(limit, container.settings.max_page_size))
    out = PartnerPage(
        items=[PartnerOut.of(p, quarter_of(p.enrolled_on).key) for p in page.items], next_cursor=page.next_cursor
    )
    return table_response(request, out, format)


@router.get("/partners/{partner_id}")
async def partner_detail(
    principal: Reader, queries: Queries, partner_id: Annotated[str, Path(min_length=1, max_length=64)]
) -> PartnerOut:
    principal.require_partner(partner_id)
    partner = await get_partner(queries, partner_id)
    return PartnerOut.of(partner, quarter_of(partner.enrolled_on).key)


class OpenDealOut(BaseModel):
    deal_id: str
    stage: str
    expected_amount: Money
    forecast_close: date
    registered_on: date
    days_open: int
    stages_reached: dict[str, date] = Field(description="the day the deal first reached each stage")


class OpenDealPage(BaseModel):
    partner_id: str
    items: list[OpenDealOut]
    next_cursor: str | None


@router.get("/partners/{partner_id}/pipeline", response_model=OpenDealPage, responses=CSV_RESPONSES)
async def partner_pipeline(
    request: Request,
    principal: Reader,
    queries: Queries,
    container: Container,
    partner_id: Annotated[str, Path(min_length=1, max_length=64)],
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    format: Format = "json",
) -> object:
    """The partner's open deals (stage, expected amount, forecast close date) in deal id order."""
    principal.require_partner(partner_id)
    size = min(limit, container.settings.max_page_size)
    page = await open_pipeline(queries, partner_id, decode_text_cursor(cursor), size)
    today = container.runtime.clock.now().date()
    items = [
        OpenDealOut(
            deal_id=d.deal_id,
            stage=d.stage,
            expected_amount=money(d.expected_amount, d.currency),
            forecast_close=d.expected_close,
            registered_on=d.registered_on,
            days_open=max((today - d.registered_on).days, 0),
            stages_reached=dict(d.reached),
        )
        for d in page.items
    ]
    out = OpenDealPage(partner_id=partner_id, items=items, next_cursor=page.next_cursor)
    return table_response(request, out, format)
