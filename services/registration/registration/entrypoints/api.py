"""HTTP API of the registration service: the app factory (routes live in routes/)."""

from __future__ import annotations

from fastapi import FastAPI
from incentive_kernel.clock import Clock
from servicekit.app import create_service_app
from servicekit.db import sync_url
from servicekit.dead_letter_api import dead_letter_router
from servicekit.problems import Problem
from starlette.middleware import Middleware

from ..adapters.crm_inbox import InboxWriter, create_edge_pool
from ..bootstrap import SOURCE, RegistrationContainer, bootstrap
from ..config import RegistrationSettings
from ..domain.errors import AlreadyExists
from .routes import deal_flags, deals, direct_deals, engagements, partners, webhooks, won_deals
from .tiers import TIER_CONSUMER


async def _open_edge_pool(app: FastAPI) -> None:
    settings = app.state.container.runtime.settings
    app.state.crm_edge_pool = await create_edge_pool(sync_url(settings.database_url), settings.database_pool_size)
    app.state.crm_inbox_writer = InboxWriter(app.state.crm_edge_pool)  # group commit of webhook deliveries


async def _close_edge_pool(app: FastAPI) -> None:
    await app.state.crm_inbox_writer.close()
    await app.state.crm_edge_pool.close()


def create_app(
    settings: RegistrationSettings | None = None,
    *,
    clock: Clock | None = None,
    container: RegistrationContainer | None = None,
) -> FastAPI:
    container = container or bootstrap(settings, clock=clock)
    app = create_service_app(
        container,
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
        on_startup=_open_edge_pool,
        on_shutdown=_close_edge_pool,
    )
    # Innermost middleware (inside the correlation id, outside routing): the webhook fast path.
    app.user_middleware.append(Middleware(webhooks.WebhookEdge))
    # Interim: what the routes still read from app.state until they take the container.
    app.state.clock = container.runtime.clock
    app.state.policy = container.policy
    app.state.crm_mappings = container.crm_mappings
    app.state.uow_factory = container.runtime.uow_factory
    app.state.engine = container.runtime.engine
    app.state.settings = container.runtime.settings
    return app


__all__ = ["SOURCE", "Problem", "create_app"]
