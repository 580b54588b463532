"""HTTP API of the mdf service: thin routes over the use cases."""

from __future__ import annotations

from fastapi import FastAPI
from incentive_kernel.clock import Clock
from servicekit.app import create_service_app
from servicekit.dead_letter_api import dead_letter_router

from ..bootstrap import SOURCE, MdfContainer, bootstrap
from ..config import MdfSettings
from ..domain.errors import AlreadyExists
from . import routes_claims, routes_fund_positions, routes_funds, routes_periods, routes_requests

__all__ = ["SOURCE", "create_app"]


def create_app(
    settings: MdfSettings | None = None, *, clock: Clock | None = None, container: MdfContainer | None = None
) -> FastAPI:
    from .consumer import LEDGER_FEED  # here: the consumer module takes SOURCE from this one

    container = container or bootstrap(settings, clock=clock)
    return create_service_app(
        container,
        title="Market development funds",
        routers=[
            routes_funds.router,
            routes_fund_positions.router,
            routes_requests.router,
            routes_claims.router,
            routes_periods.router,
            dead_letter_router(LEDGER_FEED),
        ],
        undisclosed_to_partners=(AlreadyExists,),  # a partner never learns whose an id is
    )
