"""Every error a service answers is problem+json with the request's path, and none is a stack trace:
a raised Problem (its kind, headers and extra members), a mapped domain error (its own members, and
the same neutral words to partners for errors undisclosed to them), a validation error naming the
field, malformed JSON, a foreign cursor, an unknown route, and a crash (500, nothing changed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from servicekit.app import create_service_app
from servicekit.auth import Principal, requires
from servicekit.container import RuntimeOnly
from servicekit.pagination import decode_int_cursor
from servicekit.problems import PROBLEM_JSON, TYPE_BASE, Problem
from servicekit.settings import ServiceSettings
from servicekit.testing.client import app_client, auth_header

SETTINGS = ServiceSettings(environment="test", database_url="postgresql://nobody@127.0.0.1:1/unused")


class ToyRuleViolated(Exception):
    """A domain error carrying members of its own."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.problem_extra = {"code": code}


class ToyIdTaken(Exception):
    """A domain error that would tell a partner about another partner's object."""


class Toy(BaseModel):
    name: str
    count: int


router = APIRouter()
READ = requires("deals:read", "partner:read", partner_bound="confine")


@router.post("/toys")
async def create(body: Toy) -> Toy:
    if body.name == "problem":
        raise Problem(
            409, "Toy conflict", "a toy of this name exists", kind="toy-exists", headers={"X-Toy": "1"}, toy=body.name
        )
    if body.name == "rule":
        raise ToyRuleViolated("a toy needs a positive count", "count-positive")
    if body.name == "crash":
        raise RuntimeError("secret internals")
    return body


@router.get("/toys/{toy_id}")
async def read(toy_id: str, principal: Annotated[Principal, Depends(READ)]) -> dict[str, str]:
    raise ToyIdTaken(f"toy {toy_id} belongs to partner p-other")


@router.get("/toys")
async def page(cursor: Annotated[str | None, Query()] = None) -> dict[str, int | None]:
    return {"after": decode_int_cursor(cursor)}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(
        RuntimeOnly.of(SETTINGS, service="toy", source="/toy", topic="toy"),
        title="toy",
        routers=[router],
        domain_errors={ToyRuleViolated: (422, "Rule violated"), ToyIdTaken: (409, "Already exists")},
        undisclosed_to_partners=(ToyIdTaken,),
    )
    async with app_client(app) as http:
        yield http


def problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert str(body["type"]).startswith(TYPE_BASE)
    return body


async def test_a_raised_problem_keeps_its_kind_headers_and_members(client: httpx.AsyncClient) -> None:
    answer = await client.post("/toys", json={"name": "problem", "count": 1})
    body = problem(answer, 409)
    assert body == {
        "type": TYPE_BASE + "toy-exists",
        "title": "Toy conflict",
        "status": 409,
        "detail": "a toy of this name exists",
        "instance": "/toys",
        "toy": "problem",
    }
    assert answer.headers["X-Toy"] == "1"


async def test_a_domain_error_maps_to_its_status_with_its_members(client: httpx.AsyncClient) -> None:
    body = problem(await client.post("/toys", json={"name": "rule", "count": 1}), 422)
    assert (body["title"], body["detail"], body["code"]) == (
        "Rule violated",
        "a toy needs a positive count",
        "count-positive",
    )


async def test_an_undisclosed_error_tells_a_partner_nothing_of_the_owner(client: httpx.AsyncClient) -> None:
    staff = problem(await client.get("/toys/t-1", headers=auth_header(SETTINGS, "deals:read")), 409)
    assert "p-other" in str(staff["detail"])
    partner = auth_header(SETTINGS, "partner:read", partner_id="p-1")
    told = problem(await client.get("/toys/t-1", headers=partner), 409)
    assert "p-other" not in str(told["detail"])
    assert told["title"] == "Id unavailable"


async def test_bad_input_is_a_4xx_naming_what_is_wrong(client: httpx.AsyncClient) -> None:
    invalid = problem(await client.post("/toys", json={"name": "x", "count": "many"}), 422)
    assert invalid["errors"] == [{"location": "body.count", "message": invalid["errors"][0]["message"]}]  # type: ignore[index]
    assert "body.count" in str(invalid["detail"])
    malformed = await client.post("/toys", content=b'{"name": ', headers={"content-type": "application/json"})
    assert problem(malformed, 400)["title"] == "Malformed JSON"
    assert problem(await client.get("/toys", params={"cursor": "not-ours"}), 400)["title"] == "Bad cursor"
    assert problem(await client.get("/nowhere"), 404)["title"] == "Not found"


async def test_a_crash_is_a_500_without_internals(client: httpx.AsyncClient) -> None:
    body = problem(await client.post("/toys", json={"name": "crash", "count": 1}), 500)
    assert body["detail"] == "the request could not be completed; nothing was changed"
    assert "secret" not in str(body)
