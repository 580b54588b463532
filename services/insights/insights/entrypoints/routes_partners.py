"""GET /partners and /partners/{id}: the partner directory as insights knows it (tier, region,
vertical, program, enrolment quarter, programs rewarded under). A partner-bound token sees only its own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from servicekit import pagination
from servicekit.auth import Principal, requires

from ..application.partners import get_partner, list_partners
from ..application.ports import PartnerFilter
from ..domain.periods import quarter_of
from .csv_export import CSV_RESPONSES, Format, table_response
from .deps import READ_OWN, Container, Queries
from .schemas import PartnerOut, PartnerPage

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
    after = pagination.decode_cursor(cursor)
    if after is not None and not isinstance(after, str):
        raise pagination.InvalidCursor("the cursor is not one this API returned")
    page = await list_partners(queries, where, after, min(limit, container.settings.max_page_size))
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
