"""The one authorization rule, on toy routes: a token must hold one of the route's scopes; partner
scopes need a partner binding; a partner-bound token reaches a route only if the route confines it,
never an operator route and never a program-wide ("forbid") one, whatever staff scopes it carries;
a confined token sees only its own partner (others' ids are 404). Plus the body limit (413)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, Request
from servicekit.app import create_service_app
from servicekit.auth import Principal, requires, route_policy
from servicekit.body_limit import read_capped
from servicekit.container import RuntimeOnly
from servicekit.settings import ServiceSettings
from servicekit.testing.client import app_client, auth_header

SETTINGS = ServiceSettings(environment="test", database_url="postgresql://nobody@127.0.0.1:1/unused")
CONFINED = requires("deals:read", "partner:read", partner_bound="confine")
PROGRAM_WIDE = requires("program:admin")
OPERATORS = requires("ops:admin", "deals:read", partner_bound="confine")

router = APIRouter()


@router.get("/partners/{partner_id}/toys")
async def partner_toys(partner_id: str, principal: Annotated[Principal, Depends(CONFINED)]) -> dict[str, str]:
    principal.require_partner(partner_id)
    return {"partner": partner_id, "actor": principal.actor}


@router.get("/toys")
async def list_toys(
    principal: Annotated[Principal, Depends(CONFINED)], partner_id: str | None = None
) -> dict[str, str | None]:
    return {"partner": principal.confine(partner_id)}


@router.post("/program")
async def program(principal: Annotated[Principal, Depends(PROGRAM_WIDE)]) -> dict[str, str]:
    return {"by": principal.subject}


@router.post("/operate")
async def operate(principal: Annotated[Principal, Depends(OPERATORS)]) -> dict[str, str]:
    return {"by": principal.subject}


@router.post("/upload")
async def upload(request: Request) -> dict[str, int]:
    return {"bytes": len(await read_capped(request, 16))}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(
        RuntimeOnly.of(SETTINGS, service="toy", source="/toy", topic="toy"), title="toy", routers=[router]
    )
    async with app_client(app) as http:
        yield http


def token(*scopes: str, partner: str | None = None) -> dict[str, str]:
    return auth_header(SETTINGS, *scopes, partner_id=partner, allow_staff_scopes=partner is not None)


async def test_a_route_needs_one_of_its_scopes(client: httpx.AsyncClient) -> None:
    assert (await client.post("/program", headers=token("program:admin"))).json() == {"by": "tester"}
    refused = await client.post("/program", headers=token("deals:read"))
    assert refused.status_code == 403
    assert 'error="insufficient_scope"' in refused.headers["WWW-Authenticate"]
    assert (await client.post("/program")).status_code == 401


async def test_a_partner_bound_token_is_confined_to_its_partner(client: httpx.AsyncClient) -> None:
    own = await client.get("/partners/p-1/toys", headers=token("partner:read", partner="p-1"))
    assert own.json() == {"partner": "p-1", "actor": "partner:p-1:tester"}
    other = await client.get("/partners/p-2/toys", headers=token("partner:read", partner="p-1"))
    assert other.status_code == 404  # another partner's ids do not exist for it
    assert (await client.get("/toys", headers=token("partner:read", partner="p-1"))).json() == {"partner": "p-1"}
    asked = await client.get("/toys", params={"partner_id": "p-2"}, headers=token("partner:read", partner="p-1"))
    assert asked.status_code == 404
    # Staff see every partner, or the one they ask for.
    assert (await client.get("/toys", headers=token("deals:read"))).json() == {"partner": None}
    staff = await client.get("/partners/p-2/toys", headers=token("deals:read"))
    assert staff.json() == {"partner": "p-2", "actor": "tester"}


async def test_partner_bound_tokens_never_reach_program_wide_routes(client: httpx.AsyncClient) -> None:
    confined_staff = token("program:admin", "partner:read", partner="p-1")
    assert (await client.post("/program", headers=confined_staff)).status_code == 403
    # A route open to operators and readers: a partner-bound reader comes in (confined) through its
    # reading scope; the operator scope itself is never minted for a partner.
    assert (await client.post("/operate", headers=token("deals:read", partner="p-1"))).status_code == 200
    assert (await client.post("/operate", headers=token("ops:admin"))).status_code == 200
    with pytest.raises(ValueError, match="never bound to a partner"):
        token("ops:admin", partner="p-1")


async def test_partner_scopes_need_a_binding(client: httpx.AsyncClient) -> None:
    unbound = auth_header(SETTINGS, "partner:read")
    answer = await client.get("/toys", headers=unbound)
    assert answer.status_code == 403
    assert "bound to a partner" in answer.json()["detail"]


def test_routes_declare_their_policy() -> None:
    assert route_policy(CONFINED) == "confine"
    assert route_policy(PROGRAM_WIDE) == "forbid"
    assert route_policy(lambda: None) is None
    with pytest.raises(ValueError, match="must confine"):
        requires("partner:read")
    with pytest.raises(ValueError, match="'forbid' or 'confine'"):
        requires("deals:read", partner_bound="maybe")  # type: ignore[arg-type]


async def test_a_body_over_the_limit_is_413_read_or_not(client: httpx.AsyncClient) -> None:
    assert (await client.post("/upload", content=b"x" * 16)).json() == {"bytes": 16}
    declared = await client.post("/upload", content=b"x" * 17)
    assert declared.status_code == 413
    assert declared.json()["max_bytes"] == 16

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: read until past the limit
        for _ in range(5):
            yield b"x" * 8

    streamed = await client.post("/upload", content=chunks())
    assert streamed.status_code == 413
