"""Periods: read their state, close them (lapse past-deadline requests, expire unreserved funds)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from incentive_contracts.money import Money
from servicekit.auth import Principal, requires
from servicekit.dates import check_facts
from servicekit.idempotency import run_write
from servicekit.unit_of_work import UnitOfWork

from ..application import periods as cases
from ..application import queries
from ..domain.period_close import ClosePeriod
from .deps import MANAGE, READ_ALL, today, unit
from .schemas import PERIOD_PATTERN, CloseBody, CloseOut, PeriodOut

router = APIRouter(tags=["periods"])
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN)]


@router.get("/periods/{period}")
async def get_period(
    period: PeriodPath, request: Request, principal: Annotated[Principal, Depends(requires(*READ_ALL))]
) -> PeriodOut:
    async with request.app.state.uow_factory() as uow:
        return PeriodOut.of(await queries.period_state(unit(request, uow), period))


@router.post("/periods/{period}/close", response_model=CloseOut)
async def close_period(
    period: PeriodPath, body: CloseBody, request: Request, principal: Annotated[Principal, Depends(requires(*MANAGE))]
) -> JSONResponse:
    """Close as of a date; may run again later to sweep requests whose deadline has passed since."""
    check_facts(request, today(request), {"as_of": body.as_of})
    command = ClosePeriod(period, body.as_of, today(request))

    async def action(uow: UnitOfWork) -> tuple[int, CloseOut]:
        summary = await cases.close_period(unit(request, uow), command)
        return 200, CloseOut(
            **PeriodOut.of(summary.period).model_dump(),
            lapsed_requests=summary.lapsed_requests,
            expired=[Money.recorded(a, c) for c, a in sorted(summary.expired.items())],
        )

    return await run_write(request, principal, request.app.state.uow_factory, action)
