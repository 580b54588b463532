"""What the money routes are wired with: their query ports (from the container), the scopes, the caller's token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from servicekit.problems import Problem

from ..application.money_ports import AlertQueries, AnomalyQueries, PayoutQueries, RoiQueries
from ..domain.money_errors import UpstreamRefused
from .deps import Container

FINANCE = ("insights:read", "finance:read", "finance:write", "audit:read")
"""Finance views (reconciliation, payout batches): staff only."""
WRITE = ("insights:write",)
"""Acknowledging and evaluating alerts: staff only."""
DECIDE = ("deals:write",)
"""Anomaly decisions: registration's own manager scope (registration checks it again on the forwarded token)."""


async def _roi(container: Container) -> AsyncIterator[RoiQueries]:
    async with container.reading(container.roi_queries) as queries:
        yield queries


async def _alerts(container: Container) -> AsyncIterator[AlertQueries]:
    async with container.reading(container.alert_queries) as queries:
        yield queries


async def _anomalies(container: Container) -> AsyncIterator[AnomalyQueries]:
    async with container.reading(container.anomaly_queries) as queries:
        yield queries


async def _payouts(container: Container) -> AsyncIterator[PayoutQueries]:
    async with container.reading(container.payout_queries) as queries:
        yield queries


RoiReads = Annotated[RoiQueries, Depends(_roi)]
AlertReads = Annotated[AlertQueries, Depends(_alerts)]
AnomalyReads = Annotated[AnomalyQueries, Depends(_anomalies)]
PayoutReads = Annotated[PayoutQueries, Depends(_payouts)]


def bearer_token(request: Request) -> str:
    """The caller's own token (``requires`` has checked it), forwarded to the owner service."""
    return request.headers["authorization"].split(" ", 1)[1].strip()


def upstream_problem(exc: UpstreamRefused) -> Problem:
    """The owner service's refusal passed on with its status (403, 404, 409, 422...) and detail."""
    title = str(exc.body.get("title") or "Refused by the owner service")
    return Problem(exc.status, title, str(exc))
