"""The kernel's error vocabulary is mapped once, by kind: every kind answers its status under the
error's own title with its members (a service's subclass under its own title), a partner hears neutral
words for an undisclosed kind, a kind of no status is a 500 without internals, and the OpenAPI
document declares the same statuses (naming the kinds) on every write."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends
from incentive_kernel import errors
from servicekit.app import create_service_app
from servicekit.auth import Principal, requires
from servicekit.container import RuntimeOnly
from servicekit.problems import DOMAIN_STATUSES, PROBLEM_JSON, TYPE_BASE, domain_status
from servicekit.settings import ServiceSettings
from servicekit.testing.client import app_client, auth_header

SETTINGS = ServiceSettings(environment="test", database_url="postgresql://nobody@127.0.0.1:1/unused")


class ToyPublished(errors.Conflict):
    title = "Already published"


class Unkinded(errors.DomainError):
    """A domain error of no kind (a bug): answered as a crash."""


RAISED: dict[str, errors.DomainError] = {
    "missing": errors.NotFound("toy t-1 does not exist"),
    "taken": errors.AlreadyExists("toy t-1 belongs to partner p-other"),
    "transition": errors.InvalidTransition("toy t-1 is retired", ["restore"]),
    "rules": errors.RuleViolation([errors.Violation("count-positive", "count must be positive")]),
    "rule": errors.RuleViolation("count must be positive"),
    "published": ToyPublished("version 1 is published"),
    "request": errors.InvalidRequest("the cutoff is in the future"),
    "document": errors.InvalidDocument("invalid toy document: name missing", ["name: missing"]),
    "malformed": errors.Malformed("not a toy"),
    "forbidden": errors.NotPermitted("a partner cannot approve its own toy"),
    "unkinded": Unkinded("secret internals"),
}

router = APIRouter()
WRITE = requires("deals:write", "partner:write", partner_bound="confine")


@router.post("/toys/{case}")
async def fail(case: str, principal: Annotated[Principal, Depends(WRITE)]) -> None:
    raise RAISED[case]


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(
        RuntimeOnly.of(SETTINGS, service="toy", source="/toy", topic="toy"),
        title="toy",
        routers=[router],
        undisclosed_to_partners=(errors.AlreadyExists,),
    )
    async with app_client(app) as http:
        yield http


STAFF = auth_header(SETTINGS, "deals:write")


@pytest.mark.parametrize(
    ("case", "status", "title", "members"),
    [
        ("missing", 404, "Not found", {}),
        ("taken", 409, "Already exists", {}),
        ("transition", 409, "Invalid transition", {"allowed": ["restore"]}),
        (
            "rules",
            422,
            "Rule violated",
            {"violations": [{"rule": "count-positive", "message": "count must be positive"}]},
        ),
        ("rule", 422, "Rule violated", {}),
        ("published", 409, "Already published", {}),
        ("request", 422, "Invalid request", {}),
        ("document", 422, "Invalid document", {"errors": ["name: missing"]}),
        ("malformed", 400, "Malformed input", {}),
        ("forbidden", 403, "Forbidden", {}),
    ],
)
async def test_each_kind_answers_its_status_under_the_errors_title(
    client: httpx.AsyncClient, case: str, status: int, title: str, members: dict[str, object]
) -> None:
    answer = await client.post(f"/toys/{case}", headers=STAFF)
    assert answer.status_code == status
    assert answer.headers["content-type"] == PROBLEM_JSON
    assert answer.json() == {
        "type": TYPE_BASE + title.lower().replace(" ", "-"),
        "title": title,
        "status": status,
        "detail": str(RAISED[case]),
        "instance": f"/toys/{case}",
        **members,
    }


async def test_an_undisclosed_kind_tells_a_partner_nothing(client: httpx.AsyncClient) -> None:
    partner = auth_header(SETTINGS, "partner:write", partner_id="p-1")
    told = (await client.post("/toys/taken", headers=partner)).json()
    assert told["status"] == 409
    assert "p-other" not in told["detail"]


async def test_a_domain_error_of_no_kind_is_a_crash_without_internals(client: httpx.AsyncClient) -> None:
    answer = await client.post("/toys/unkinded", headers=STAFF)
    assert answer.status_code == 500
    assert "secret" not in answer.text


def test_a_subclass_takes_its_nearest_kinds_status() -> None:
    assert domain_status(ToyPublished) == 409
    assert domain_status(Unkinded) is None
    assert domain_status(ValueError) is None


async def test_every_write_declares_the_statuses_of_the_vocabulary(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    responses = document["paths"]["/toys/{case}"]["post"]["responses"]
    assert {str(status) for status in DOMAIN_STATUSES.values()} <= responses.keys()
    assert "Invalid transition" in responses["409"]["description"]
    assert "Rule violated" in responses["422"]["description"]
