"""Idempotency-Key on a toy write route (servicekit.idempotency.run_write): the same key and body
replays the first response, a different body is 422, a request still in flight makes a second one
409 at once, keys are per caller, and a failed write keeps no key."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from servicekit.auth import Principal, requires
from servicekit.container import runtime_of
from servicekit.idempotency import run_write
from servicekit.problems import Problem
from servicekit.testing.client import auth_header
from servicekit.unit_of_work import UnitOfWork
from servicekit_toy import Kit
from sqlalchemy import text


class NewItem(BaseModel):
    name: str
    hold: bool = False


class Gate:
    """Holds a write inside its transaction until the test opens it."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.open = asyncio.Event()


def toy_router(gate: Gate) -> APIRouter:
    router = APIRouter()

    @router.post("/items", status_code=201)
    async def create_item(
        body: NewItem, request: Request, principal: Principal = Depends(requires("deals:write"))
    ) -> JSONResponse:
        async def action(uow: UnitOfWork) -> tuple[int, Any]:
            if body.name == "":
                raise Problem(422, "Invalid item", "an item needs a name")
            n = await uow.conn.scalar(text("INSERT INTO toy_items (name) VALUES (:n) RETURNING n"), {"n": body.name})
            if body.hold:
                gate.entered.set()
                await gate.open.wait()
            return 201, {"n": n, "name": body.name}

        return await run_write(request, principal, runtime_of(request).uow_factory, action)

    return router


@pytest.fixture
async def gate() -> Gate:
    return Gate()


@pytest.fixture
async def client(kit: Kit, gate: Gate) -> AsyncIterator[httpx.AsyncClient]:
    async with kit.client([toy_router(gate)]) as http:
        yield http


def headers(kit: Kit, key: str | None, subject: str = "alice") -> dict[str, str]:
    found = auth_header(kit.settings, "deals:write", subject=subject)
    return found if key is None else {**found, "Idempotency-Key": key}


async def items(kit: Kit) -> list[str]:
    return [r["name"] for r in await kit.db.fetch("SELECT name FROM toy_items ORDER BY n")]


async def test_the_same_key_and_body_replays_the_first_response(client: httpx.AsyncClient, kit: Kit) -> None:
    first = await client.post("/items", json={"name": "a"}, headers=headers(kit, "k-1"))
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    # The same request spelt otherwise (whitespace, key order) is the same request.
    spelt = {**headers(kit, "k-1"), "content-type": "application/json"}
    again = await client.post("/items", content=b'{ \n  "name" :  "a" }', headers=spelt)
    assert (again.status_code, again.json(), again.headers["Idempotent-Replayed"]) == (201, first.json(), "true")
    assert await items(kit) == ["a"]
    other = await client.post("/items", json={"name": "a"}, headers=headers(kit, "k-2"))
    assert other.status_code == 201
    assert await items(kit) == ["a", "a"]  # another key is another write
    unkeyed = [await client.post("/items", json={"name": "b"}, headers=headers(kit, None)) for _ in range(2)]
    assert [r.status_code for r in unkeyed] == [201, 201]
    assert await items(kit) == ["a", "a", "b", "b"]  # without a key nothing is de-duplicated


async def test_the_same_key_with_another_body_is_422_and_changes_nothing(client: httpx.AsyncClient, kit: Kit) -> None:
    assert (await client.post("/items", json={"name": "a"}, headers=headers(kit, "k-1"))).status_code == 201
    reused = await client.post("/items", json={"name": "z"}, headers=headers(kit, "k-1"))
    assert reused.status_code == 422
    assert reused.headers["content-type"].startswith("application/problem+json")
    assert "different request body" in reused.json()["detail"]
    assert await items(kit) == ["a"]
    # Keys are the caller's own: another caller's k-1 is a new request.
    bob = await client.post("/items", json={"name": "z"}, headers=headers(kit, "k-1", subject="bob"))
    assert bob.status_code == 201
    assert await items(kit) == ["a", "z"]
    too_long = await client.post("/items", json={"name": "y"}, headers=headers(kit, "x" * 256))
    assert too_long.status_code == 400


async def test_a_request_in_flight_makes_the_same_key_409_at_once(
    client: httpx.AsyncClient, kit: Kit, gate: Gate
) -> None:
    body = {"name": "slow", "hold": True}
    slow = asyncio.create_task(client.post("/items", json=body, headers=headers(kit, "k-1")))
    await asyncio.wait_for(gate.entered.wait(), timeout=10)
    loop = asyncio.get_running_loop()
    started = loop.time()
    second = await client.post("/items", json=body, headers=headers(kit, "k-1"))
    assert second.status_code == 409
    assert loop.time() - started < 5  # not queued behind the first
    gate.open.set()
    first = await slow
    assert first.status_code == 201
    replay = await client.post("/items", json=body, headers=headers(kit, "k-1"))
    assert (replay.status_code, replay.json()) == (201, first.json())
    assert await items(kit) == ["slow"]


async def test_a_failed_write_keeps_no_key(client: httpx.AsyncClient, kit: Kit) -> None:
    failed = await client.post("/items", json={"name": ""}, headers=headers(kit, "k-1"))
    assert failed.status_code == 422
    assert await kit.db.fetchval("SELECT count(*) FROM idempotency_keys") == 0
    # The key is free: the corrected request (another body) runs.
    fixed = await client.post("/items", json={"name": "a"}, headers=headers(kit, "k-1"))
    assert fixed.status_code == 201
    assert await items(kit) == ["a"]
