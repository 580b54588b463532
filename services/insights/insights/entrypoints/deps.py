"""What the routes are wired with: the container, the indicator query port on a read connection, and the scopes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends
from servicekit.container import container_dependency

from ..application.ports import InsightsQueries
from ..bootstrap import InsightsContainer

STAFF = ("insights:read",)
"""Program-wide views (cohorts, groups of partners): staff only, never a partner-bound token."""
READ_OWN = ("insights:read", "partner:read")
"""Views of one partner: staff, or a partner-bound token confined to its own partner."""

Container = Annotated[InsightsContainer, Depends(container_dependency(InsightsContainer))]


Q = TypeVar("Q")


def on_read_connection(
    port: Callable[[InsightsContainer], Callable[[Any], Q]],
) -> Callable[[InsightsContainer], AsyncIterator[Q]]:
    """A dependency yielding the container's query port ``port`` on a read connection of the request's own."""

    async def provide(container: Container) -> AsyncIterator[Q]:
        async with container.reading(port(container)) as queries:
            yield queries

    return provide


Queries = Annotated[InsightsQueries, Depends(on_read_connection(lambda c: c.queries))]
