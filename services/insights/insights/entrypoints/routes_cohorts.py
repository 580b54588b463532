"""GET /cohorts: cohorts of partners (tier, region, vertical, enrolment quarter, pilot arm) side by side
on the leading indicators of one period, with per-partner figures and each cohort's difference to a
reference cohort. Program-wide: staff only (a partner-bound token is refused)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from incentive_contracts.money import DecimalString, Money
from pydantic import BaseModel, Field
from servicekit.auth import Principal, requires
from servicekit.pagination import decode_text_cursor

from ..application.indicators import CohortQuery, compare_cohorts
from ..domain.cohorts import CohortDimension, CohortRow
from .csv_export import CSV_RESPONSES, Format, table_response
from .deps import STAFF, Container, Queries
from .params import CurrencyParam, Limit, currency_of, next_cursor, period_param
from .schemas import DEFINITIONS, IndicatorsOut, PeriodOut, maybe_money

router = APIRouter(tags=["cohorts"])
Staff = Annotated[Principal, Depends(requires(*STAFF))]

METHOD = (
    "Each cohort holds the partners enrolled by the period's end. Per-partner figures divide the cohort's "
    "totals by its partners. difference = the cohort's figure minus the reference cohort's (amounts in the "
    "response's currency). Pilot arms come from the ledger's postings: a partner rewarded under a program "
    "other than its own is in that variant's arm; the other partners of the same base program are its "
    "control arm (the ledger's cohort tags are not on the wire, so a control tag narrower than the base "
    "program is not seen). Differences between cohorts are associations, not effects."
)


class PerPartnerOut(BaseModel):
    registrations: DecimalString | None
    won_revenue: Money | None
    pipeline: Money | None
    mdf_spend: Money | None
    engagement_points: DecimalString | None


class CohortOut(BaseModel):
    cohort: str
    partners: int
    indicators: IndicatorsOut
    per_partner: PerPartnerOut
    difference: dict[str, DecimalString | None] | None = Field(
        description="the cohort's figure minus the reference cohort's (null without a reference)"
    )

    @classmethod
    def of(cls, row: CohortRow, currency: str) -> CohortOut:
        each = row.per_partner
        return cls(
            cohort=row.cohort,
            partners=row.indicators.partners,
            indicators=IndicatorsOut.of(row.indicators, currency),
            per_partner=PerPartnerOut(
                registrations=each.registrations,
                won_revenue=maybe_money(each.won_revenue, currency),
                pipeline=maybe_money(each.pipeline, currency),
                mdf_spend=maybe_money(each.mdf_spend, currency),
                engagement_points=each.engagement_points,
            ),
            difference=None if row.difference is None else dict(row.difference),
        )


class CohortsOut(PeriodOut):
    by: CohortDimension
    currency: str
    reference: str | None
    method: str
    definitions: dict[str, str]
    items: list[CohortOut]
    next_cursor: str | None


@router.get("/cohorts", response_model=CohortsOut, responses=CSV_RESPONSES)
async def cohorts(
    request: Request,
    _: Staff,
    queries: Queries,
    container: Container,
    by: CohortDimension = "tier",
    period: Annotated[str | None, Query(description="YYYY-MM or YYYY-Qn (default: this quarter)")] = None,
    reference: Annotated[
        str | None, Query(min_length=1, max_length=140, description="cohort to compare with (pilot: control)")
    ] = None,
    currency: CurrencyParam = None,
    cursor: str | None = None,
    limit: Limit = 100,
    format: Format = "json",
) -> object:
    """The cohorts of ``by`` in key order, each with the period's indicators; follow ``next_cursor``."""
    settings = container.settings
    chosen = currency_of(currency, settings.reporting_currency)
    span = period_param(period, container.runtime.clock.now().date())
    query = CohortQuery(by, span, chosen, reference, decode_text_cursor(cursor), min(limit, settings.max_page_size))
    page = await compare_cohorts(queries, query, settings.engagement_points, container.memo)
    out = CohortsOut(
        **PeriodOut.of_period(span),
        by=by,
        currency=chosen,
        reference=page.reference,
        method=METHOD,
        definitions=DEFINITIONS,
        items=[CohortOut.of(row, chosen) for row in page.items],
        next_cursor=next_cursor(page.next_after),
    )
    return table_response(request, out, format)
