"""What the routes share: the container (units, policy, clock) as a typed dependency, the scopes,
and running one use case inside one unit of work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from servicekit.auth import Principal
from servicekit.container import container_dependency
from servicekit.idempotency import run_write

from ..application.ports import MdfUnit
from ..bootstrap import MdfContainer

MANAGE = ("mdf:write",)
READ_ALL = ("mdf:read", "mdf:write")
READ_OWN = (*READ_ALL, "partner:read")
WRITE_OWN = ("mdf:write", "partner:write")

Container = Annotated[MdfContainer, Depends(container_dependency(MdfContainer))]
T = TypeVar("T")


async def write(
    request: Request,
    principal: Principal,
    container: MdfContainer,
    action: Callable[[MdfUnit], Awaitable[tuple[int, Any]]],
) -> JSONResponse:
    """One use case in one unit of work, committed once, honouring Idempotency-Key."""
    return await run_write(request, principal, container.runtime.uow_factory, lambda uow: action(container.unit(uow)))


async def read(container: MdfContainer, query: Callable[[MdfUnit], Awaitable[T]]) -> T:
    """One query in its own unit of work (never committed)."""
    async with container.runtime.uow_factory() as uow:
        return await query(container.unit(uow))


def page_limit(container: MdfContainer, limit: int) -> int:
    return min(limit, container.settings.max_page_size)


def own_partner(principal: Principal, partner_id: str | None) -> str | None:
    """The partner a list is limited to: a partner-bound token always sees only its own."""
    return principal.confine(partner_id)
