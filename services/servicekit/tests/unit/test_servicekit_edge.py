"""The edge every service shares: NUL characters refused (422 naming the field), 401 answers with
their ``WWW-Authenticate`` challenge, 405 answers with ``Allow``, and idempotency comparing bodies
as parsed JSON (issue 13, defects 3, 7 and 8)."""

from __future__ import annotations

from typing import Annotated

import pytest
import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from servicekit.app import create_service_app
from servicekit.auth import Principal, requires
from servicekit.container import RuntimeOnly, runtime_of
from servicekit.idempotency import canonical_body
from servicekit.settings import ServiceSettings
from servicekit.testing.client import app_client, auth_header

SETTINGS = ServiceSettings(environment="test", database_url="postgresql://nobody@127.0.0.1:1/unused")


class Thing(BaseModel):
    name: str
    tags: list[str] = []
    attributes: dict[str, str] = {}


router = APIRouter()
stored: list[Thing] = []


@router.post("/things")
async def create_thing(thing: Thing) -> Thing:
    stored.append(thing)
    return thing


@router.get("/things/{thing_id}")
async def read_thing(thing_id: str, q: str = "") -> dict[str, str]:
    return {"thing_id": thing_id, "q": q}


@router.delete("/things/{thing_id}")
async def delete_thing(thing_id: str) -> dict[str, str]:
    return {"thing_id": thing_id}


@router.get("/secret")
async def secret(principal: Annotated[Principal, Depends(requires("ledger:read"))]) -> dict[str, str]:
    return {"subject": principal.subject}


@router.post("/notes")
async def store_note(request: Request) -> dict[str, str]:
    """Stores a plain-text body the guard does not parse (as a YAML document would be)."""
    text = (await request.body()).decode()
    async with runtime_of(request).engine.connect() as conn:
        await conn.execute(sa.text("SELECT CAST(:v AS text)"), {"v": text})
    return {"stored": text}


@router.post("/broken")
async def broken(request: Request) -> dict[str, str]:
    async with runtime_of(request).engine.connect() as conn:
        await conn.execute(sa.text("SELECT no_such_column FROM no_such_table"))
    return {}


@pytest.fixture
async def client(postgres_server_url):
    stored.clear()
    settings = SETTINGS.model_copy(update={"database_url": postgres_server_url})
    app = create_service_app(
        RuntimeOnly.of(settings, service="test", source="/test", topic="t"), title="t", routers=[router]
    )
    async with app_client(app) as client:
        yield client


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"name": "a\u0000b"}, "body.name"),
        ({"name": "ok", "tags": ["x", "\u0000"]}, "body.tags.1"),
        ({"name": "ok", "attributes": {"k\u0000": "v"}}, "body.attributes.k"),
        ({"name": "ok", "attributes": {"k": "v\u0000"}}, "body.attributes.k"),
    ],
)
async def test_a_nul_in_a_json_body_is_a_422_naming_the_field(client, body, location):
    response = await client.post("/things", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [{"location": location, "message": "NUL characters (\\u0000) are not accepted"}]
    assert response.json()["instance"] == "/things"
    assert stored == []


async def test_an_escaped_backslash_before_u0000_is_plain_text(client):
    body = b'{"name": "a\\\\u0000b"}'  # an escaped backslash, then the letters u0000
    response = await client.post("/things", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert response.json()["name"] == "a\\u0000b"


async def test_a_nul_in_a_body_sent_in_chunks_is_found(client):
    async def chunks():
        yield b'{"name": "ab'
        yield b"\\u00"
        yield b'00"}'

    response = await client.post("/things", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "body.name"


async def test_a_nul_in_a_path_or_query_parameter_is_a_422_naming_it(client):
    response = await client.get("/things/a%00b")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["location"] == "path.thing_id"
    response = await client.get("/things/ab", params={"q": "x\u0000"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "query.q"
    assert "x-correlation-id" in response.headers
    assert (await client.get("/things/ab", params={"q": "x"})).json() == {"thing_id": "ab", "q": "x"}


async def test_401_answers_carry_a_bearer_challenge(client):
    missing = await client.get("/secret")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    invalid = await client.get("/secret", headers={"Authorization": "Bearer not-a-jwt"})
    assert invalid.status_code == 401
    assert invalid.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    forbidden = await client.get("/secret", headers=auth_header(SETTINGS, "deals:read"))
    assert forbidden.status_code == 403
    assert 'error="insufficient_scope"' in forbidden.headers["www-authenticate"]
    assert (await client.get("/secret", headers=auth_header(SETTINGS, "ledger:read"))).status_code == 200


async def test_405_answers_name_every_allowed_method(client):
    response = await client.put("/things/ab")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["allow"] == "DELETE, GET"
    assert (await client.get("/things")).headers["allow"] == "POST"


async def test_a_nul_only_the_database_sees_is_a_422_not_a_500(client):
    refused = await client.post("/notes", content=b"a\x00b", headers={"content-type": "text/plain"})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["location"] == "request"
    assert (await client.post("/notes", content=b"ab", headers={"content-type": "text/plain"})).status_code == 200
    crashed = await client.post("/broken")  # any other database error stays a 500
    assert crashed.status_code == 500
    assert crashed.json()["title"] == "Internal error"


def test_the_same_json_in_other_formatting_is_the_same_request():
    first = canonical_body(b'{"a": 1, "b": {"c": ["x", 2.50]}}')
    assert canonical_body(b'{\n  "b": {"c": ["x",2.50]},\n  "a":1\n}') == first
    assert canonical_body(b'{"a": 1, "b": {"c": ["x", 2.5]}}') != first  # other digits: another request
    assert canonical_body(b'{"a": "1", "b": {"c": ["x", 2.50]}}') != first  # a string is not a number
    assert canonical_body(b'{"a": 1, "b": {"c": [2.50, "x"]}}') != first  # list order matters
    assert canonical_body(b"not json") == b"not json"
    assert canonical_body(b"") == b""


async def test_a_request_asks_no_telemetry_provider(client, monkeypatch):
    """The services export no OpenTelemetry, so a request must not look the global providers up."""
    from opentelemetry import metrics, trace

    asked: list[str] = []
    for module, name in ((trace, "get_tracer_provider"), (metrics, "get_meter_provider")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda original=original, name=name: asked.append(name) or original())
    response = await client.get("/things/1")
    assert response.status_code == 200
    assert asked == []
