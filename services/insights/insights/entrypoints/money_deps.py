"""What the money routes are wired with: their query ports (from the container), the scopes, the caller's token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from servicekit.problems import Problem

from ..application.money_ports import AlertQueries, AnomalyQueries, PayoutQueries, RoiQueries
from ..domain.money_errors import UpstreamRefused
from .deps import on_read_connection

FINANCE = ("insights:read", "finance:read", "finance:write", "audit:read")
"""Finance views (reconciliation, payout batches): staff only."""
WRITE = ("insights:write",)
"""Acknowledging and evaluating alerts: staff only."""
DECIDE = ("deals:write",)
"""Anomaly decisions: registration's own manager scope (registration checks it again on the forwarded token)."""


RoiReads = Annotated[RoiQueries, Depends(on_read_connection(lambda c: c.roi_queries))]
AlertReads = Annotated[AlertQueries, Depends(on_read_connection(lambda c: c.alert_queries))]
AnomalyReads = Annotated[AnomalyQueries, Depends(on_read_connection(lambda c: c.anomaly_queries))]
PayoutReads = Annotated[PayoutQueries, Depends(on_read_connection(lambda c: c.payout_queries))]


def bearer_token(request: Request) -> str:
    """The caller's own token (``requires`` has checked it), forwarded to the owner service."""
    return request.headers["authorization"].split(" ", 1)[1].strip()


def upstream_problem(exc: UpstreamRefused) -> Problem:
    """The owner service's refusal passed on with its status (403, 404, 409, 422...) and detail."""
    title = str(exc.body.get("title") or "Refused by the owner service")
    return Problem(exc.status, title, str(exc))
