"""The FastAPI application base every service's ``create_app`` builds on."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from incentive_contracts.event_ids import new_event_id
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .container import HasRuntime, install_container
from .health import health_router
from .logging import configure_logging, correlation_id_var
from .nul_guard import install_nul_guard
from .openapi import install_openapi
from .problems import install_problem_handlers
from .transient import RetryTransient
from .viewer import ViewerResetMiddleware

CORRELATION_HEADER = b"x-correlation-id"

Hook = Callable[[FastAPI], Awaitable[None]]


class CorrelationIdMiddleware:
    """Takes ``X-Correlation-ID`` from the request (or makes one) and echoes it on the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(CORRELATION_HEADER)
        correlation_id = incoming.decode(errors="replace")[:128] if incoming else new_event_id()
        token = correlation_id_var.set(correlation_id)

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((CORRELATION_HEADER, correlation_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_header)
        finally:
            correlation_id_var.reset(token)


def create_service_app(
    container: HasRuntime,
    *,
    title: str,
    routers: list[APIRouter],
    domain_errors: dict[type[Exception], tuple[int, str]] | None = None,
    undisclosed_to_partners: tuple[type[Exception], ...] = (),
    on_startup: Hook | None = None,
    on_shutdown: Hook | None = None,
) -> FastAPI:
    """Build an app over the service's container; connections open on first use, never at import
    or construction time, and the pool closes with the lifespan."""
    runtime = container.runtime
    settings = runtime.settings
    configure_logging(runtime.service, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if on_startup:
            await on_startup(app)
        try:
            yield
        finally:
            if on_shutdown:
                await on_shutdown(app)
            await runtime.close()

    docs = settings.docs_served
    app = FastAPI(
        title=title,
        version="1.0.0",
        lifespan=lifespan,
        openapi_url="/openapi.json" if docs else None,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        # The services export no OpenTelemetry; left on, FastAPI's native telemetry asks the global
        # tracer, meter and logger providers (reading the environment) on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    install_container(app, container)
    app.add_middleware(ViewerResetMiddleware)  # each request starts without a viewer
    app.add_middleware(RetryTransient)  # a deadlock or a stale statement plan: the request again, or a 503
    install_nul_guard(app)  # inside the correlation id (added next, so outermost)
    app.add_middleware(CorrelationIdMiddleware)
    install_problem_handlers(app, domain_errors, undisclosed_to_partners)
    app.include_router(health_router())
    for router in routers:
        app.include_router(router)
    install_openapi(app)  # the document as served, and as app.openapi() returns it
    return app
