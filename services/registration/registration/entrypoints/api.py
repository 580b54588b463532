"""HTTP API of the registration service: the app factory (routes live in routes/)."""

from __future__ import annotations

from fastapi import FastAPI
from incentive_kernel.clock import Clock
from servicekit.app import create_service_app
from servicekit.dead_letter_api import dead_letter_router
from servicekit.problems import Problem
from starlette.middleware import Middleware

from ..bootstrap import SOURCE, RegistrationContainer, bootstrap
from ..config import RegistrationSettings
from ..domain.errors import AlreadyExists
from .routes import deal_flags, deals, direct_deals, engagements, partners, webhooks, won_deals
from .tiers import TIER_CONSUMER


def create_app(
    settings: RegistrationSettings | None = None,
    *,
    clock: Clock | None = None,
    container: RegistrationContainer | None = None,
) -> FastAPI:
    built = container or bootstrap(settings, clock=clock)
    edge = built.crm_edge  # the webhook edge's pool and inbox writer live as long as the app
    app = create_service_app(
        built,
        title="Partner registration",
        routers=[
            partners.router,
            deals.router,
            won_deals.router,
            deal_flags.router,
            direct_deals.router,
            engagements.router,
            webhooks.router,
            dead_letter_router(TIER_CONSUMER),
        ],
        undisclosed_to_partners=(AlreadyExists,),  # a partner never learns whose an id is
        on_startup=lambda app: edge.open(),
        on_shutdown=lambda app: edge.close(),
    )
    # Innermost middleware (inside the correlation id, outside routing): the webhook fast path.
    app.user_middleware.append(Middleware(webhooks.WebhookEdge))
    return app


__all__ = ["SOURCE", "Problem", "create_app"]
