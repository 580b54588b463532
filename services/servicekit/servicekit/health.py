"""/healthz (the process is alive), /readyz (database and broker reachable), /metrics.

/metrics is open in development; in production it answers only with ``public_metrics`` set or to a
scrape that sends the ``metrics_token`` as a bearer token (401 otherwise; 404 with neither set).
"""

from __future__ import annotations

import asyncio
import hmac

from aiokafka import AIOKafkaClient
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import text

from .container import container_of, runtime_of
from .metrics import CONTENT_TYPE, render_metrics
from .problems import Problem


async def _database_ok(request: Request) -> str | None:
    try:
        async with runtime_of(request).engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=2)
        return None
    except Exception as exc:
        return type(exc).__name__


async def _broker_ok(request: Request) -> str | None:
    client = AIOKafkaClient(
        bootstrap_servers=runtime_of(request).settings.kafka_bootstrap_servers, request_timeout_ms=2000
    )
    try:
        await asyncio.wait_for(client.bootstrap(), timeout=3)
        return None
    except Exception as exc:
        return type(exc).__name__
    finally:
        await client.close()


class HealthOut(BaseModel):
    status: str


class ReadinessOut(BaseModel):
    status: str  # "ready" or "not ready"
    checks: dict[str, str]  # "ok" or the error's name, per dependency


def _check_metrics_access(request: Request) -> None:
    settings = runtime_of(request).settings
    if settings.metrics_open:
        return
    token = settings.metrics_token.get_secret_value() if settings.metrics_token is not None else ""
    if not token:
        raise Problem(404, "Not found", "metrics are not served here")
    sent = request.headers.get("authorization", "")
    if not hmac.compare_digest(sent.encode(errors="replace"), f"Bearer {token}".encode()):
        raise Problem(401, "Unauthorized", "metrics need the metrics token", headers={"WWW-Authenticate": "Bearer"})


def health_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    async def healthz() -> HealthOut:
        return HealthOut(status="ok")

    @router.get("/readyz", response_model=ReadinessOut, responses={503: {"model": ReadinessOut}})
    async def readyz(request: Request) -> JSONResponse:
        database, broker = await asyncio.gather(_database_ok(request), _broker_ok(request))
        checks = {"database": database or "ok", "broker": broker or "ok"}
        ready = database is None and broker is None
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
        )

    @router.get(
        "/metrics",
        response_class=Response,
        responses={
            200: {"content": {CONTENT_TYPE: {"schema": {"type": "string"}}}, "description": "Prometheus text"},
        },
    )
    async def metrics(request: Request) -> Response:
        _check_metrics_access(request)
        container = container_of(request)
        runtime = container.runtime
        body = await render_metrics(runtime.engine, runtime.service, getattr(container, "extra_metrics", None))
        return Response(body, media_type=CONTENT_TYPE)

    return router
