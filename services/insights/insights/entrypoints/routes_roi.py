"""GET /roi: every incentive's return per quarter in one currency, with the method, its assumptions
and limits stated in the response (a program-wide view: staff only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from incentive_contracts.dates import PERIOD_PATTERN
from incentive_contracts.money import CurrencyCode
from servicekit import pagination
from servicekit.auth import Principal, requires

from ..application.roi import RoiQuery, roi_table
from .csv_export import CSV_RESPONSES, Format, table_response
from .deps import STAFF, Container
from .money_deps import RoiReads
from .money_schemas import RoiMethodOut, RoiPage, RoiRow

router = APIRouter(tags=["roi"])
Staff = Annotated[Principal, Depends(requires(*STAFF, "finance:read", partner_bound="forbid"))]
Quarter = Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="YYYY-Qn")]


@router.get("/roi", response_model=RoiPage, responses=CSV_RESPONSES)
async def roi(
    request: Request,
    principal: Staff,
    queries: RoiReads,
    container: Container,
    currency: CurrencyCode,
    from_quarter: Annotated[str | None, Query(alias="from", pattern=PERIOD_PATTERN, description="YYYY-Qn")] = None,
    to_quarter: Annotated[str | None, Query(alias="to", pattern=PERIOD_PATTERN, description="YYYY-Qn")] = None,
    incentive: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    format: Format = "json",
) -> object:
    """Per incentive and quarter (quarter order): reward cost, attributed revenue, the partners' baseline,
    incremental revenue and its difference-in-differences effect against a comparison group, and the
    return on cost. Figures a small sample cannot support are null, with the reason in ``notes``."""
    offset = pagination.decode_int_cursor(cursor) or 0
    method = container.roi_method
    query = RoiQuery(str(currency), from_quarter, to_quarter, incentive)
    rows = await roi_table(queries, query, method, container.memo)
    page = rows[offset : offset + min(limit, container.settings.max_page_size)]
    end = offset + len(page)
    out = RoiPage(
        currency=str(currency),
        method=RoiMethodOut.of(method),
        items=[RoiRow.of(r) for r in page],
        next_cursor=pagination.encode_cursor(end) if end < len(rows) else None,
    )
    return table_response(request, out, format)
