"""Quarterly reconciliation for finance: forecast against actual, and the journal's own checks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from incentive_contracts.dates import PERIOD_PATTERN
from incentive_contracts.money import Amount, CurrencyCode
from pydantic import BaseModel
from servicekit.auth import Principal, requires
from servicekit.idempotency import run_write
from servicekit.problems import Problem
from servicekit.unit_of_work import UnitOfWork

from ..application import reconciliation as cases
from ..domain.reconciliation import Forecast, Line, period_bounds
from .deps import Ledger, Queries
from .response_docs import ForecastOut, ReconciliationLineOut, ReconciliationOut, decimal_text

router = APIRouter(tags=["reconciliation"])
READERS = requires("finance:read", "finance:write", "audit:read")
WRITERS = requires("finance:write")
PERIOD = PERIOD_PATTERN  # YYYY-Qn, years 1970..2999


class ForecastBody(BaseModel):
    currency: CurrencyCode
    reward_expense: Amount
    mdf_usage: Amount
    payouts: Amount


def _line(x: Line) -> ReconciliationLineOut:
    return ReconciliationLineOut(
        name=x.name,
        currency=x.currency,
        expected=decimal_text(x.expected),
        actual=format(x.actual, "f"),
        difference=decimal_text(x.difference),
        ok=x.ok,
        note=x.note,
    )


def _bounds(period: str) -> tuple[datetime, datetime]:
    try:
        return period_bounds(period)
    except ValueError as exc:
        raise Problem(422, "Invalid period", str(exc)) from exc


@router.get("/reconciliation")
async def reconciliation(
    principal: Annotated[Principal, Depends(READERS)],
    reads: Queries,
    period: Annotated[str, Query(pattern=PERIOD, description="YYYY-Qn")],
) -> ReconciliationOut:
    """Forecast against actual (reward expense, MDF usage, payouts) for the period, and the checks that the
    journal's totals equal settled payouts plus open balances as of its end; every difference is listed."""
    _bounds(period)
    report = await cases.reconcile_period(reads, period)
    return ReconciliationOut(
        period=period,
        period_from=report.start,
        to_exclusive=report.end,
        forecast_vs_actual=[_line(x) for x in report.forecast],
        checks=[_line(x) for x in report.checks],
        differences=[_line(x) for x in report.differences],
        balanced=not any(not x.ok for x in report.checks),
    )


@router.put("/reconciliation/forecasts/{period}", response_model=ForecastOut)
async def record_forecast(
    body: ForecastBody,
    request: Request,
    principal: Annotated[Principal, Depends(WRITERS)],
    ledger: Ledger,
    period: Annotated[str, Path(pattern=PERIOD)],
) -> JSONResponse:
    """Finance's forecast for a period and currency (recording it again replaces it)."""
    _bounds(period)
    forecast = Forecast(body.reward_expense, body.mdf_usage, body.payouts)

    async def action(uow: UnitOfWork) -> tuple[int, ForecastOut]:
        store = ledger.unit(uow).forecasts
        await cases.record_forecast(
            store, period, body.currency, forecast, by=principal.subject, now=ledger.clock.now()
        )
        return 200, ForecastOut.model_validate({"period": period, **body.model_dump(mode="json")})

    return await run_write(request, principal, ledger.uow_factory, action)
