"""/healthz (the process is alive), /readyz (database and broker reachable), /metrics."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaClient
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from .metrics import CONTENT_TYPE, render_metrics


async def _database_ok(request: Request) -> str | None:
    try:
        async with request.app.state.engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=2)
        return None
    except Exception as exc:
        return type(exc).__name__


async def _broker_ok(request: Request) -> str | None:
    client = AIOKafkaClient(
        bootstrap_servers=request.app.state.settings.kafka_bootstrap_servers, request_timeout_ms=2000
    )
    try:
        await asyncio.wait_for(client.bootstrap(), timeout=3)
        return None
    except Exception as exc:
        return type(exc).__name__
    finally:
        await client.close()


def health_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        database, broker = await asyncio.gather(_database_ok(request), _broker_ok(request))
        checks = {"database": database or "ok", "broker": broker or "ok"}
        ready = database is None and broker is None
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
        )

    @router.get("/metrics")
    async def metrics(request: Request) -> Response:
        state = request.app.state
        body = await render_metrics(state.engine, state.settings_service_name, getattr(state, "extra_metrics", None))
        return Response(body, media_type=CONTENT_TYPE)

    return router
