"""GET /indicators: the leading indicators of a scope of partners (the whole book, one partner, a tier,
a region, a vertical or a program) as a time series of months or quarters, a page of periods at a time.

A partner-bound token sees its own partner's series only (``dimension=partner``, its own id)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from incentive_contracts.dates import BusinessDate
from pydantic import BaseModel
from servicekit.auth import Principal, requires
from servicekit.pagination import decode_text_cursor
from servicekit.problems import Problem

from ..application.indicators import SeriesQuery, indicator_series
from ..application.ports import Scope
from ..domain.periods import Granularity
from .csv_export import CSV_RESPONSES, Format, table_response
from .deps import READ_OWN, Container, Queries
from .params import CurrencyParam, Limit, currency_of, next_cursor, window
from .schemas import DEFINITIONS, IndicatorsOut, invalid

router = APIRouter(tags=["indicators"])
Reader = Annotated[Principal, Depends(requires(*READ_OWN, partner_bound="confine"))]
Dimension = Literal["all", "partner", "tier", "region", "vertical", "program"]


class ScopeOut(BaseModel):
    dimension: Dimension
    value: str | None


class SeriesOut(BaseModel):
    scope: ScopeOut
    currency: str
    granularity: Granularity
    since: date
    until: date
    definitions: dict[str, str]
    items: list[IndicatorsOut]
    next_cursor: str | None


def _scope(principal: Principal, dimension: Dimension | None, value: str | None) -> Scope:
    if principal.partner_id is not None:
        if dimension not in (None, "partner"):
            raise Problem(403, "Forbidden", "a token bound to a partner reads its own partner's indicators only")
        return Scope("partner", principal.confine(value))
    chosen = dimension or "all"
    if chosen == "all":
        return Scope("all")
    if value is None:
        raise invalid("value", f"required with dimension={chosen}")
    return Scope(chosen, value)


@router.get("/indicators", response_model=SeriesOut, responses=CSV_RESPONSES)
async def indicators(
    request: Request,
    principal: Reader,
    queries: Queries,
    container: Container,
    dimension: Annotated[Dimension | None, Query(description="default: all (a partner's token: partner)")] = None,
    value: Annotated[str | None, Query(min_length=1, max_length=64, description="the partner, tier...")] = None,
    granularity: Granularity = "quarter",
    since: Annotated[BusinessDate | None, Query(description="first day covered (default: 8 periods back)")] = None,
    until: Annotated[BusinessDate | None, Query(description="last day covered (default: today)")] = None,
    currency: CurrencyParam = None,
    cursor: str | None = None,
    limit: Limit = 24,
    format: Format = "json",
) -> object:
    """The scope's indicators period by period (oldest first); follow ``next_cursor`` for later periods."""
    settings = container.settings
    scope = _scope(principal, dimension, value)
    chosen = currency_of(currency, settings.reporting_currency)
    first, last = window(since, until, granularity, container.runtime.clock.now().date())
    query = SeriesQuery(
        scope, chosen, granularity, first, last, decode_text_cursor(cursor), min(limit, settings.max_page_size)
    )
    page = await indicator_series(queries, query, settings.engagement_points)
    out = SeriesOut(
        scope=ScopeOut(dimension=scope.dimension, value=scope.value),
        currency=chosen,
        granularity=granularity,
        since=first,
        until=last,
        definitions=DEFINITIONS,
        items=[IndicatorsOut.of(item, chosen) for item in page.items],
        next_cursor=next_cursor(page.next_after),
    )
    return table_response(request, out, format)
