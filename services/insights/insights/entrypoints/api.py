"""HTTP API of the insights service: thin routes over the indicator, cohort and money read models.

Each router is listed once here; a helper adding a router adds one line to ``ROUTERS``.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from incentive_kernel.clock import Clock
from servicekit.app import create_service_app
from servicekit.dead_letter_api import dead_letter_router

from ..bootstrap import SOURCE, InsightsContainer, bootstrap
from ..config import InsightsSettings
from ..domain.money_errors import UpstreamUnavailable
from . import (
    routes_alerts,
    routes_anomalies,
    routes_cohorts,
    routes_finance,
    routes_indicators,
    routes_partners,
    routes_roi,
)
from .console import router as console_router
from .consumer import READ_MODELS

__all__ = ["SOURCE", "create_app"]

UPSTREAM_ERRORS: dict[type[Exception], tuple[int, str]] = {UpstreamUnavailable: (503, "Owner service unavailable")}
"""Not a domain error (the kernel's kinds are mapped by servicekit): an owner service out of reach."""

ROUTERS: list[APIRouter] = [
    routes_partners.router,
    routes_indicators.router,
    routes_cohorts.router,
    routes_roi.router,
    routes_alerts.router,
    routes_anomalies.router,
    routes_finance.router,
    dead_letter_router(READ_MODELS),
    console_router,
]


def create_app(
    settings: InsightsSettings | None = None,
    *,
    clock: Clock | None = None,
    container: InsightsContainer | None = None,
) -> FastAPI:
    container = container or bootstrap(settings, clock=clock)
    return create_service_app(container, title="Program insights", routers=ROUTERS, domain_errors=UPSTREAM_ERRORS)
