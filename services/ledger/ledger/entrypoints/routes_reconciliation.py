"""Quarterly reconciliation for finance: forecast against actual, and the journal's own checks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from incentive_contracts.dates import PERIOD_PATTERN
from incentive_contracts.money import Amount, CurrencyCode
from pydantic import BaseModel
from servicekit.auth import Principal, requires
from servicekit.idempotency import run_write
from servicekit.openapi import documented
from servicekit.problems import Problem
from servicekit.unit_of_work import UnitOfWork

from ..adapters import reconciliation_queries as sums
from ..domain.reconciliation import Forecast, Line, period_bounds, reconcile
from .response_docs import ForecastOut, ReconciliationOut

router = APIRouter(tags=["reconciliation"])
READERS = requires("finance:read", "finance:write", "audit:read")
WRITERS = requires("finance:write")
PERIOD = PERIOD_PATTERN  # YYYY-Qn, years 1970..2999


class ForecastBody(BaseModel):
    currency: CurrencyCode
    reward_expense: Amount
    mdf_usage: Amount
    payouts: Amount


def _line(x: Line) -> dict[str, Any]:
    return {
        "name": x.name,
        "currency": x.currency,
        "expected": None if x.expected is None else format(x.expected, "f"),
        "actual": format(x.actual, "f"),
        "difference": None if x.difference is None else format(x.difference, "f"),
        "ok": x.ok,
        "note": x.note,
    }


def _bounds(period: str) -> tuple[datetime, datetime]:
    try:
        return period_bounds(period)
    except ValueError as exc:
        raise Problem(422, "Invalid period", str(exc)) from exc


@router.get("/reconciliation", **documented(ReconciliationOut))
async def reconciliation(
    request: Request,
    principal: Annotated[Principal, Depends(READERS)],
    period: Annotated[str, Query(pattern=PERIOD, description="YYYY-Qn")],
) -> dict[str, Any]:
    """Forecast against actual (reward expense, MDF usage, payouts) for the period, and the checks that the
    journal's totals equal settled payouts plus open balances as of its end; every difference is listed."""
    start, end = _bounds(period)
    async with request.app.state.engine.connect() as conn:
        report = reconcile(
            period,
            await sums.posting_sums(conn, start, end),
            await sums.payout_records(conn, start, end),
            await sums.period_forecasts(conn, period),
        )
    return {
        "period": period,
        "from": report.start,
        "to_exclusive": report.end,
        "forecast_vs_actual": [_line(x) for x in report.forecast],
        "checks": [_line(x) for x in report.checks],
        "differences": [_line(x) for x in report.differences],
        "balanced": not any(not x.ok for x in report.checks),
    }


@router.put("/reconciliation/forecasts/{period}", **documented(ForecastOut))
async def record_forecast(
    body: ForecastBody,
    request: Request,
    principal: Annotated[Principal, Depends(WRITERS)],
    period: Annotated[str, Path(pattern=PERIOD)],
) -> JSONResponse:
    """Finance's forecast for a period and currency (recording it again replaces it)."""
    _bounds(period)

    async def action(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
        forecast = Forecast(body.reward_expense, body.mdf_usage, body.payouts)
        await sums.record_forecast(uow.conn, period, body.currency, forecast, principal.subject, datetime.now(UTC))
        return 200, {"period": period, **body.model_dump(mode="json")}

    return await run_write(request, principal, request.app.state.uow_factory, action)
