"""What every route shares: the unit of work, the clock, the policy, caller checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from servicekit.auth import Principal
from servicekit.idempotency import run_write
from servicekit.unit_of_work import UnitOfWork

from ..adapters.unit import SqlRegistrationUnit
from ..application.ports import Clock
from ..domain.policy import RegistrationPolicy

READ_SCOPES = ("deals:read", "deals:write", "partner:read")
PARTNER_WRITE_SCOPES = ("deals:write", "partner:write")

Unit = SqlRegistrationUnit
UnitAction = Callable[[SqlRegistrationUnit], Awaitable[tuple[int, Any]]]


def clock(request: Request) -> Clock:
    return request.app.state.clock  # type: ignore[no-any-return]


def today(request: Request) -> date:
    return clock(request).now().date()


def policy(request: Request) -> RegistrationPolicy:
    return request.app.state.policy  # type: ignore[no-any-return]


def actor(principal: Principal) -> str:
    return principal.actor


async def write(request: Request, principal: Principal, action: UnitAction) -> JSONResponse:
    """One unit of work, committed once, honouring Idempotency-Key."""

    async def run(uow: UnitOfWork) -> tuple[int, Any]:
        return await action(unit_of(request, uow))

    return await run_write(request, principal, request.app.state.uow_factory, run)


async def read(request: Request, action: Callable[[SqlRegistrationUnit], Awaitable[Any]]) -> Any:
    async with request.app.state.uow_factory() as uow:
        return await action(unit_of(request, uow))


def unit_of(request: Request, uow: UnitOfWork) -> SqlRegistrationUnit:
    return SqlRegistrationUnit(uow, clock(request), request.app.state.settings.builtin_programs)
