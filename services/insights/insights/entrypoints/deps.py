"""What the routes are wired with: the container, the indicator query port on a read connection, and the scopes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from servicekit.container import container_dependency

from ..application.ports import InsightsQueries
from ..bootstrap import InsightsContainer

STAFF = ("insights:read",)
"""Program-wide views (cohorts, groups of partners): staff only, never a partner-bound token."""
READ_OWN = ("insights:read", "partner:read")
"""Views of one partner: staff, or a partner-bound token confined to its own partner."""

Container = Annotated[InsightsContainer, Depends(container_dependency(InsightsContainer))]


async def _queries(container: Container) -> AsyncIterator[InsightsQueries]:
    async with container.reading(container.queries) as queries:
        yield queries


Queries = Annotated[InsightsQueries, Depends(_queries)]
