"""Finance views: the ledger's quarterly forecast against actual (read from the ledger's API with the
caller's token, so there is one figure for each amount), and payout batches with their lines
(projected from the ledger's payout events)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from incentive_contracts.dates import PERIOD_PATTERN
from incentive_contracts.money import CurrencyCode
from pydantic import ValidationError
from servicekit.auth import Principal, requires
from servicekit.pagination import decode_text_cursor

from ..application.finance import quarter_reconciliation
from ..domain.errors import NotFound
from ..domain.money_errors import UpstreamRefused, UpstreamUnavailable
from .csv_export import CSV_RESPONSES, Format, table_response
from .deps import Container
from .finance_schemas import (
    PayoutBatchOut,
    PayoutBatchPage,
    PayoutLineOut,
    PayoutLinePage,
    ReconciliationLinePage,
    ReconciliationOut,
)
from .money_deps import FINANCE, PayoutReads, bearer_token, upstream_problem

router = APIRouter(prefix="/finance", tags=["finance"])
Finance = Annotated[Principal, Depends(requires(*FINANCE, partner_bound="forbid"))]
BatchId = Annotated[str, Path(min_length=1, max_length=64)]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/reconciliation", response_model=ReconciliationOut, responses=CSV_RESPONSES)
async def reconciliation(
    request: Request,
    principal: Finance,
    container: Container,
    period: Annotated[str, Query(pattern=PERIOD_PATTERN, description="YYYY-Qn")],
    format: Format = "json",
) -> object:
    """The quarter's forecast against actual (reward expense, MDF usage, payouts) and the ledger's checks,
    as the ledger computes them; ``?format=csv`` gives the forecast-against-actual lines."""
    try:
        answer = await quarter_reconciliation(container.ledger_reconciliation, period, bearer_token(request))
        report = ReconciliationOut.model_validate(answer)
    except UpstreamRefused as exc:
        raise upstream_problem(exc) from exc
    except (UpstreamUnavailable, ValidationError) as exc:
        report = ReconciliationOut(period=period, available=False, error=f"the ledger could not be read: {exc}")
    if format == "csv":
        return table_response(request, ReconciliationLinePage(items=report.forecast_vs_actual), format)
    return report


@router.get("/payout-batches", response_model=PayoutBatchPage, responses=CSV_RESPONSES)
async def payout_batches(
    request: Request,
    principal: Finance,
    queries: PayoutReads,
    container: Container,
    status: Literal["open", "settled"] | None = None,
    currency: CurrencyCode | None = None,
    cursor: str | None = None,
    limit: Limit = 100,
    format: Format = "json",
) -> object:
    """Payout batches in batch id order: open while a line is in payment, settled once every line is
    paid or failed; totals by line status."""
    page = await queries.batches(
        after=decode_text_cursor(cursor),
        limit=min(limit, container.settings.max_page_size),
        status=status,
        currency=currency,
    )
    out = PayoutBatchPage(items=[PayoutBatchOut.of(b) for b in page.items], next_cursor=page.next_cursor)
    return table_response(request, out, format)


@router.get("/payout-batches/{batch_id}")
async def payout_batch(principal: Finance, queries: PayoutReads, batch_id: BatchId) -> PayoutBatchOut:
    batch = await queries.batch(batch_id)
    if batch is None:
        raise NotFound(f"no payout batch {batch_id}")
    return PayoutBatchOut.of(batch)


@router.get("/payout-batches/{batch_id}/lines", response_model=PayoutLinePage, responses=CSV_RESPONSES)
async def payout_lines(
    request: Request,
    principal: Finance,
    queries: PayoutReads,
    container: Container,
    batch_id: BatchId,
    partner_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    cursor: str | None = None,
    limit: Limit = 100,
    format: Format = "json",
) -> object:
    """The batch's lines in line id order: partner, amount, payee reference, status and references."""
    if await queries.batch(batch_id) is None:
        raise NotFound(f"no payout batch {batch_id}")
    page = await queries.lines(
        batch_id,
        after=decode_text_cursor(cursor),
        limit=min(limit, container.settings.max_page_size),
        partner_id=partner_id,
    )
    out = PayoutLinePage(items=[PayoutLineOut.of(x) for x in page.items], next_cursor=page.next_cursor)
    return table_response(request, out, format)
