"""Transient database errors (servicekit.transient_errors), provoked for real. At the HTTP edge: a
statement plan made stale by a column's type change under the running app, and a deadlock between
two requests; a request that committed nothing is run again and succeeds, one that committed first is
answered 503 with Retry-After and its committed part is not applied twice. In a consumer: PostgreSQL
refusing a batch with SQLSTATE 40P01 once; the batch is applied again, each event once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, Request
from servicekit.container import runtime_of
from servicekit_toy import Kit, envelope
from sqlalchemy import text

READ_NAMES = text("SELECT name FROM toy_items ORDER BY n")


class Meeting:
    """Two requests that each lock one row and then wait for the other to have locked its own."""

    def __init__(self) -> None:
        self.arrived = 0
        self.both = asyncio.Event()

    async def meet(self) -> None:
        self.arrived += 1
        if self.arrived == 2:
            self.both.set()
        await asyncio.wait_for(self.both.wait(), timeout=10)


def toy_router(meeting: Meeting) -> APIRouter:
    router = APIRouter()

    @router.get("/names")
    async def names(request: Request) -> list[str]:
        async with runtime_of(request).uow_factory() as uow:
            return [row.name for row in await uow.conn.execute(READ_NAMES)]

    @router.post("/names/{name}")
    async def add_then_read(name: str, request: Request) -> list[str]:
        async with runtime_of(request).uow_factory() as uow:
            await uow.conn.execute(text("INSERT INTO toy_items (name) VALUES (:n)"), {"n": name})
            await uow.commit()
        async with runtime_of(request).uow_factory() as uow:
            return [row.name for row in await uow.conn.execute(READ_NAMES)]

    @router.post("/touch/{first}/{second}")
    async def touch(first: str, second: str, request: Request) -> dict[str, bool]:
        touch_row = text("UPDATE toy_items SET name = name WHERE name = :n")
        async with runtime_of(request).uow_factory() as uow:
            await uow.conn.execute(touch_row, {"n": first})
            if not meeting.both.is_set():
                await meeting.meet()  # the first attempts only: both rows are locked before either asks
            await uow.conn.execute(touch_row, {"n": second})
            await uow.commit()
        return {"touched": True}

    return router


@pytest.fixture
async def meeting() -> Meeting:
    return Meeting()


@pytest.fixture
async def client(kit: Kit, meeting: Meeting) -> AsyncIterator[httpx.AsyncClient]:
    async with kit.client([toy_router(meeting)]) as http:
        yield http


def transient_warnings(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [r.fields for r in caplog.records if r.name == "servicekit.transient"]  # type: ignore[attr-defined]


async def change_name_type(kit: Kit) -> None:
    """A migration while the app runs: the app's cached plan for READ_NAMES no longer fits."""
    await kit.db.execute("ALTER TABLE toy_items ALTER COLUMN name TYPE varchar(200)")


async def test_a_stale_statement_plan_is_run_again_and_answered(
    client: httpx.AsyncClient, kit: Kit, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="servicekit.transient")
    await kit.db.execute("INSERT INTO toy_items (name) VALUES ('a'), ('b')")
    assert (await client.get("/names")).json() == ["a", "b"]  # the plan is prepared and cached
    await change_name_type(kit)
    again = await client.get("/names")
    assert (again.status_code, again.json()) == (200, ["a", "b"])
    # It did fail once (the plan was stale), and the second attempt answered.
    assert transient_warnings(caplog) == [{"path": "/names", "attempt": 1, "commits": 0, "again": True}]


async def test_a_request_that_committed_first_is_503_and_not_applied_twice(
    client: httpx.AsyncClient, kit: Kit, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="servicekit.transient")
    assert (await client.post("/names/a")).json() == ["a"]
    await change_name_type(kit)
    answer = await client.post("/names/b")
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers["Retry-After"] == "1"
    assert answer.json()["type"].endswith("transient-conflict")
    assert "Traceback" not in answer.text
    # Its first transaction committed "b" once; it was not run again.
    assert [r["name"] for r in await kit.db.fetch("SELECT name FROM toy_items ORDER BY n")] == ["a", "b"]
    assert transient_warnings(caplog) == [{"path": "/names/b", "attempt": 1, "commits": 1, "again": False}]
    assert (await client.get("/names")).json() == ["a", "b"]  # the next request is served


async def test_the_loser_of_a_deadlock_is_run_again(
    client: httpx.AsyncClient, kit: Kit, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="servicekit.transient")
    await kit.db.execute("INSERT INTO toy_items (name) VALUES ('x'), ('y')")
    one, other = await asyncio.gather(client.post("/touch/x/y"), client.post("/touch/y/x"))
    assert [one.status_code, other.status_code] == [200, 200]
    warnings = transient_warnings(caplog)
    assert len(warnings) == 1  # PostgreSQL ended one of the two; it ran again once the other committed
    assert (warnings[0]["attempt"], warnings[0]["commits"], warnings[0]["again"]) == (1, 0, True)


# PostgreSQL refuses the first insert into toy_deals as a deadlock's loser (the sequence counts across
# rolled-back transactions, so it refuses once).
REFUSE_ONCE = [
    "CREATE SEQUENCE toy_refusals",
    """CREATE FUNCTION toy_refuse_once() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           IF nextval('toy_refusals') = 1 THEN
               RAISE EXCEPTION 'deadlock detected (provoked)' USING ERRCODE = '40P01';
           END IF;
           RETURN NEW;
       END $$""",
    "CREATE TRIGGER toy_refuse_once BEFORE INSERT ON toy_deals FOR EACH ROW EXECUTE FUNCTION toy_refuse_once()",
]


async def test_a_consumer_applies_a_batch_again_after_a_transient_error(
    kit: Kit, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="servicekit.consumer")
    for statement in REFUSE_ONCE:
        await kit.db.execute(statement)
    await kit.send([envelope("p-1", "d-1"), envelope("p-2", "d-2")])
    async with kit.consuming("g") as consumer:
        await kit.until("SELECT count(*) FROM consumed_events WHERE consumer_group = $1", 2, "g")
    assert sorted(await kit.deals("g")) == ["d-1", "d-2"]  # each once
    assert consumer.applied == 2
    assert await kit.db.fetchval("SELECT last_value FROM toy_refusals") >= 2  # it was refused, then applied
    retried = [r for r in caplog.records if r.getMessage().startswith("transient database error in a batch")]
    assert len(retried) == 1
