"""HTTP API of the governance service: thin routes over the use cases."""

from __future__ import annotations

from fastapi import FastAPI
from incentive_kernel.clock import Clock
from servicekit.app import create_service_app
from servicekit.dead_letter_api import dead_letter_router

from ..bootstrap import SOURCE, GovernanceContainer, bootstrap
from ..config import GovernanceSettings
from ..domain.errors import AlreadyExists
from . import routes_audits, routes_benefits, routes_disputes, routes_feedback, routes_plans, routes_webhooks

__all__ = ["SOURCE", "create_app"]


def create_app(
    settings: GovernanceSettings | None = None,
    *,
    clock: Clock | None = None,
    container: GovernanceContainer | None = None,
) -> FastAPI:
    from .consumer import ACTIVITY_FEED  # here: the consumer module takes SOURCE from the bootstrap

    container = container or bootstrap(settings, clock=clock)
    return create_service_app(
        container,
        title="Partner program governance",
        routers=[
            routes_plans.router,
            routes_benefits.router,
            routes_disputes.router,
            routes_audits.router,
            routes_feedback.router,
            routes_webhooks.router,
            dead_letter_router(ACTIVITY_FEED),
        ],
        undisclosed_to_partners=(AlreadyExists,),  # a partner never learns whose an id is
    )
