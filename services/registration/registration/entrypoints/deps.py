"""What every route shares: the container (units, clock, policy) as a typed dependency, scopes, and
running one use case or query inside one unit of work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from servicekit.auth import Principal
from servicekit.container import container_dependency
from servicekit.idempotency import run_write

from ..application.ports import RegistrationUnit
from ..bootstrap import RegistrationContainer

READ_SCOPES = ("deals:read", "deals:write", "partner:read")
PARTNER_WRITE_SCOPES = ("deals:write", "partner:write")

container_of = container_dependency(RegistrationContainer)
Container = Annotated[RegistrationContainer, Depends(container_of)]
Unit = RegistrationUnit
UnitAction = Callable[[RegistrationUnit], Awaitable[tuple[int, Any]]]
T = TypeVar("T")


def actor(principal: Principal) -> str:
    return principal.actor


async def write(
    request: Request, principal: Principal, container: RegistrationContainer, action: UnitAction
) -> JSONResponse:
    """One unit of work, committed once, honouring Idempotency-Key."""
    return await run_write(request, principal, container.runtime.uow_factory, lambda uow: action(container.unit(uow)))


async def read(container: RegistrationContainer, action: Callable[[RegistrationUnit], Awaitable[T]]) -> T:
    """One query in its own unit of work (never committed)."""
    async with container.runtime.uow_factory() as uow:
        return await action(container.unit(uow))
