"""Periods: read their state, close them (lapse past-deadline requests, expire unreserved funds)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from incentive_contracts.money import Money
from servicekit.auth import Principal, requires
from servicekit.dates import check_facts

from ..application import periods as cases
from ..application import queries
from ..application.ports import MdfUnit
from ..domain.period_close import ClosePeriod
from .deps import MANAGE, READ_ALL, Container, read, write
from .schemas import PERIOD_PATTERN, CloseBody, CloseOut, PeriodOut

router = APIRouter(tags=["periods"])
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN)]


@router.get("/periods/{period}")
async def get_period(
    period: PeriodPath, principal: Annotated[Principal, Depends(requires(*READ_ALL))], container: Container
) -> PeriodOut:
    return PeriodOut.of(await read(container, lambda unit: queries.period_state(unit, period)))


@router.post("/periods/{period}/close", response_model=CloseOut)
async def close_period(
    period: PeriodPath,
    body: CloseBody,
    request: Request,
    principal: Annotated[Principal, Depends(requires(*MANAGE))],
    container: Container,
) -> JSONResponse:
    """Close as of a date; may run again later to sweep requests whose deadline has passed since."""
    check_facts(request, container.today(), {"as_of": body.as_of})
    command = ClosePeriod(period, body.as_of, container.today())

    async def action(unit: MdfUnit) -> tuple[int, CloseOut]:
        summary = await cases.close_period(unit, command)
        return 200, CloseOut(
            **PeriodOut.of(summary.period).model_dump(),
            lapsed_requests=summary.lapsed_requests,
            expired=[Money.recorded(a, c) for c, a in sorted(summary.expired.items())],
        )

    return await write(request, principal, container, action)
