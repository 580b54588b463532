"""The OpenAPI document every service serves (issue 13, defect 7): bearer security on routes that
need a token, problem+json errors with the shared Problem schema, Idempotency-Key on writes, webhook
signature headers; and /docs, /openapi.json, /metrics restricted in production settings."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, SecretStr
from servicekit.app import create_service_app
from servicekit.auth import Principal, requires
from servicekit.container import RuntimeOnly
from servicekit.db import create_engine
from servicekit.openapi import documented, webhook_openapi
from servicekit.settings import ServiceSettings
from servicekit.tables import parking_metadata, runtime_metadata
from servicekit.testing.client import app_client
from servicekit.testing.databases import DatabaseFactory

METRICS_TABLES = {"outbox", "consumer_offsets", "dead_letters", "parked_events"}
SECRET = "a-production-token-secret-of-at-least-32-chars"
SETTINGS = ServiceSettings(environment="test", database_url="postgresql://nobody@127.0.0.1:1/unused")
PRODUCTION = ServiceSettings(
    environment="production", database_url="postgresql://nobody@127.0.0.1:1/unused", token_secret=SecretStr(SECRET)
)


class ThingOut(BaseModel):
    thing_id: str


router = APIRouter()


@router.get("/things/{thing_id}")
async def read_thing(thing_id: str, principal: Annotated[Principal, Depends(requires("ledger:read"))]) -> ThingOut:
    return ThingOut(thing_id=thing_id)


@router.post("/things", status_code=201, **documented(ThingOut, 201))
async def create_thing(body: ThingOut, principal: Annotated[Principal, Depends(requires("deals:write"))]) -> Any:
    return {"thing_id": body.thing_id}


@router.post("/webhooks/x", status_code=202, openapi_extra=webhook_openapi("X-Signature"))
async def webhook(request: Request) -> JSONResponse:
    return JSONResponse({}, status_code=202)


@pytest.fixture
async def runtime_database(database_factory: DatabaseFactory) -> str:
    """An empty database with servicekit's own tables (what /metrics reads)."""
    url = database_factory.empty(prefix="oapi")
    engine = create_engine(url)
    async with engine.begin() as conn:
        for metadata in (runtime_metadata, parking_metadata):
            tables = [t for t in metadata.sorted_tables if t.name in METRICS_TABLES]
            await conn.run_sync(lambda sync, m=metadata, t=tables: m.create_all(sync, tables=t))
    await engine.dispose()
    return url


def _app(settings: ServiceSettings) -> FastAPI:
    return create_service_app(
        RuntimeOnly.of(settings, service="test", source="/test", topic="t"), title="t", routers=[router]
    )


def _operation(app: FastAPI, path: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = app.openapi()["paths"][path][method]
    return operation


def test_a_token_route_declares_bearer_security_and_problem_errors() -> None:
    app = _app(SETTINGS)
    document = app.openapi()
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    assert "Problem" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    read = _operation(app, "/things/{thing_id}", "get")
    assert read["security"] == [{"bearerAuth": []}]
    assert read["x-required-scopes"] == ["ledger:read"]
    assert {"401", "403", "404", "422"} <= read["responses"].keys()
    for code in ("401", "403", "404", "422"):
        assert read["responses"][code]["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
    assert "WWW-Authenticate" in read["responses"]["401"]["headers"]
    assert read["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ThingOut"
    }
    assert not any(p["name"] == "Idempotency-Key" for p in read.get("parameters", []))


def test_a_write_declares_its_idempotency_key_and_conflicts() -> None:
    write = _operation(_app(SETTINGS), "/things", "post")
    key = next(p for p in write["parameters"] if p["name"] == "Idempotency-Key")
    assert key["in"] == "header"
    assert key["required"] is False
    assert {"400", "401", "403", "404", "409", "422"} <= write["responses"].keys()
    assert write["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ThingOut"
    }
    assert "Idempotent-Replayed" in write["responses"]["201"]["headers"]


def test_a_webhook_declares_its_signature_headers_instead_of_a_token() -> None:
    hook = _operation(_app(SETTINGS), "/webhooks/x", "post")
    assert hook["security"] == []
    assert [(p["name"], p["in"], p["required"]) for p in hook["parameters"]] == [("X-Signature", "header", True)]
    assert {"400", "401", "403", "413"} <= hook["responses"].keys()


def test_health_routes_need_nothing() -> None:
    app = _app(SETTINGS)
    for path in ("/healthz", "/readyz", "/metrics"):
        assert "security" not in _operation(app, path, "get")
    assert (
        "text/plain; version=0.0.4; charset=utf-8" in _operation(app, "/metrics", "get")["responses"]["200"]["content"]
    )


async def test_docs_are_served_in_development_and_not_in_production() -> None:
    async with app_client(_app(SETTINGS)) as client:
        for path in ("/openapi.json", "/docs", "/redoc"):
            assert (await client.get(path)).status_code == 200
    async with app_client(_app(PRODUCTION)) as client:
        for path in ("/openapi.json", "/docs", "/redoc"):
            assert (await client.get(path)).status_code == 404
    opened = PRODUCTION.model_copy(update={"public_docs": True})
    async with app_client(_app(opened)) as client:
        assert (await client.get("/openapi.json")).status_code == 200


@pytest.mark.parametrize(
    ("update", "headers", "status"),
    [
        ({}, {}, 404),  # production, nothing configured: not served
        ({"public_metrics": True}, {}, 200),
        ({"metrics_token": SecretStr("scrape-me")}, {}, 401),
        ({"metrics_token": SecretStr("scrape-me")}, {"Authorization": "Bearer wrong"}, 401),
        ({"metrics_token": SecretStr("scrape-me")}, {"Authorization": "Bearer scrape-me"}, 200),
    ],
)
async def test_metrics_in_production(
    runtime_database: str, update: dict[str, Any], headers: dict[str, str], status: int
) -> None:
    settings = PRODUCTION.model_copy(update={"database_url": runtime_database, **update})
    async with app_client(_app(settings)) as client:
        response = await client.get("/metrics", headers=headers)
    assert response.status_code == status, response.text
    if status == 200:
        assert "outbox_unpublished_events" in response.text
    else:
        assert response.headers["content-type"] == "application/problem+json"


async def test_metrics_are_open_in_development(runtime_database: str) -> None:
    settings = SETTINGS.model_copy(update={"database_url": runtime_database})
    async with app_client(_app(settings)) as client:
        assert (await client.get("/metrics")).status_code == 200


action_router = APIRouter()


@action_router.get("/jobs/{job_id}")
async def read_job(job_id: str) -> dict[str, str]:
    return {"job_id": job_id}


@action_router.post("/jobs/purge")
async def purge_jobs() -> dict[str, str]:
    return {}


async def test_allow_names_the_methods_of_the_resource_the_path_names() -> None:
    """``/jobs/purge`` is the POST-only action, not a job id (schemathesis' Allow check)."""
    app = create_service_app(
        RuntimeOnly.of(SETTINGS, service="test", source="/test", topic="t"), title="t", routers=[action_router]
    )
    async with app_client(app) as client:
        refused = await client.put("/jobs/purge")
        assert refused.status_code == 405
        assert refused.headers["allow"] == "POST"
        assert (await client.put("/jobs/j-1")).headers["allow"] == "GET"
