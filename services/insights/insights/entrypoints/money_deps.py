"""What the money routes are wired with: their read queries, the peer clients and the scopes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from servicekit import pagination
from servicekit.problems import Problem

from ..adapters.money_queries import SqlAlertQueries, SqlAnomalyQueries, SqlPayoutQueries, SqlRoiQueries
from ..domain.money_errors import UpstreamRefused
from .deps import Container

FINANCE = ("insights:read", "finance:read", "finance:write", "audit:read")
"""Finance views (reconciliation, payout batches): staff only."""
WRITE = ("insights:write",)
"""Acknowledging and evaluating alerts: staff only."""
DECIDE = ("deals:write",)
"""Anomaly decisions: registration's own manager scope (registration checks it again on the forwarded token)."""


async def _roi(container: Container) -> AsyncIterator[SqlRoiQueries]:
    async with container.runtime.engine.connect() as conn:
        yield SqlRoiQueries(conn)


async def _alerts(container: Container) -> AsyncIterator[SqlAlertQueries]:
    async with container.runtime.engine.connect() as conn:
        yield SqlAlertQueries(conn)


async def _anomalies(container: Container) -> AsyncIterator[SqlAnomalyQueries]:
    async with container.runtime.engine.connect() as conn:
        yield SqlAnomalyQueries(conn)


async def _payouts(container: Container) -> AsyncIterator[SqlPayoutQueries]:
    async with container.runtime.engine.connect() as conn:
        yield SqlPayoutQueries(conn)


RoiReads = Annotated[SqlRoiQueries, Depends(_roi)]
AlertReads = Annotated[SqlAlertQueries, Depends(_alerts)]
AnomalyReads = Annotated[SqlAnomalyQueries, Depends(_anomalies)]
PayoutReads = Annotated[SqlPayoutQueries, Depends(_payouts)]


def bearer_token(request: Request) -> str:
    """The caller's own token (``requires`` has checked it), forwarded to the owner service."""
    return request.headers["authorization"].split(" ", 1)[1].strip()


def text_cursor(cursor: str | None) -> str | None:
    after = pagination.decode_cursor(cursor)
    if after is not None and not isinstance(after, str):
        raise pagination.InvalidCursor("the cursor is not one this API returned")
    return after


def upstream_problem(exc: UpstreamRefused) -> Problem:
    """The owner service's refusal passed on with its status (403, 404, 409, 422...) and detail."""
    title = str(exc.body.get("title") or "Refused by the owner service")
    return Problem(exc.status, title, str(exc))
