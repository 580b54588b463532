"""Dead letters on the toy service, end to end: records that are not events, and events the handler
refuses, are dead-lettered with their reason and original position while the other events apply;
the dead-letter topic gets each one through the outbox and the relay; ``/dead-letters`` lists, reads
and re-drives them (each at most once, Idempotency-Key honoured, operators only)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from aiokafka import AIOKafkaConsumer
from servicekit.dead_letter_api import dead_letter_router
from servicekit.kafka import make_producer
from servicekit.relay import OutboxRelay
from servicekit.runner import ConsumerSpec
from servicekit.testing.client import auth_header
from servicekit_toy import WAIT_SECONDS, Kit, ToyHandler, envelope

GROUP = "g"


@pytest.fixture
async def lettered(kit: Kit) -> Kit:
    """The toy topic's consumer has dead-lettered three records: bad-1, bad-2 and one that is not JSON."""
    await kit.send([envelope("p-1", "good-1"), envelope("p-1", "bad-1"), envelope("p-2", "bad-2")])
    producer = make_producer(kit.settings)
    await producer.start()
    try:
        await producer.send_and_wait(kit.topic, b"{not an event", key=b"p-3")
    finally:
        await producer.stop()
    async with kit.consuming(GROUP):
        await kit.until("SELECT count(*) FROM dead_letters", 3)
    return kit


@pytest.fixture
async def client(lettered: Kit) -> AsyncIterator[httpx.AsyncClient]:
    spec = ConsumerSpec(
        command="consume",
        help="toy",
        source="/toy",
        topic=lettered.topic,
        consumes=(lettered.topic,),
        group=lambda settings: GROUP,
        handler=lambda runtime: ToyHandler(GROUP),
    )
    async with lettered.client([dead_letter_router(spec)]) as http:
        yield http


def ops(kit: Kit, key: str | None = None) -> dict[str, str]:
    found = auth_header(kit.settings, "ops:admin")
    return found if key is None else {**found, "Idempotency-Key": key}


async def test_poison_records_are_dead_lettered_with_their_reason_and_published(lettered: Kit) -> None:
    kit = lettered
    assert await kit.deals(GROUP) == ["good-1"]  # the other events applied
    rows = await kit.db.fetch('SELECT event_id, reason, topic, "offset" FROM dead_letters ORDER BY "offset"')
    assert [r["offset"] for r in rows] == sorted(r["offset"] for r in rows)
    reasons = {r["reason"] for r in rows}
    assert {"invalid deal bad-1", "invalid deal bad-2"} <= reasons
    [unparsed] = [r for r in rows if r["event_id"] is None]
    assert unparsed["reason"] not in {"invalid deal bad-1", "invalid deal bad-2"}
    assert {r["topic"] for r in rows} == {kit.topic}
    # Each goes to the dead-letter topic (through the outbox and the relay) with what an operator needs.
    producer = make_producer(kit.settings)
    await producer.start()
    relay = OutboxRelay(kit.engine, producer, name="toy", poll_seconds=0.1)
    task = asyncio.create_task(relay.run())
    reader = AIOKafkaConsumer(
        f"{kit.topic}.dead", bootstrap_servers=kit.settings.kafka_bootstrap_servers, auto_offset_reset="earliest"
    )
    await reader.start()
    try:
        records: list[Any] = []
        deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
        while len(records) < 3 and asyncio.get_running_loop().time() < deadline:
            for batch in (await reader.getmany(timeout_ms=200)).values():
                records.extend(batch)
    finally:
        await reader.stop()
        relay.stop()
        await task
        await producer.stop()
    letters = [orjson.loads(r.value) for r in records]
    assert sorted(r["reason"] for r in letters) == sorted(reasons)
    assert {r["consumer_group"] for r in letters} == {GROUP}
    assert any(r["original"] == "{not an event" for r in letters)
    assert {dict(r.headers)["content-type"] for r in records} == {b"application/json"}


async def test_operators_list_and_read_dead_letters(client: httpx.AsyncClient, lettered: Kit) -> None:
    first = await client.get("/dead-letters", params={"limit": 2}, headers=ops(lettered))
    assert first.status_code == 200
    page = first.json()
    assert len(page["items"]) == 2
    rest = await client.get("/dead-letters", params={"cursor": page["next_cursor"]}, headers=ops(lettered))
    assert rest.json()["next_cursor"] is None
    letters = page["items"] + rest.json()["items"]
    assert [d["id"] for d in letters] == sorted(d["id"] for d in letters)
    assert len(letters) == 3
    one = await client.get(f"/dead-letters/{letters[0]['id']}", headers=ops(lettered))
    assert one.json() == letters[0]
    assert "payload" not in one.json()
    assert (await client.get("/dead-letters/999999", headers=ops(lettered))).status_code == 404
    # Operators only: another scope is 403, a partner-bound token too, no token 401.
    staff = auth_header(lettered.settings, "deals:write")
    assert (await client.get("/dead-letters", headers=staff)).status_code == 403
    partner = auth_header(lettered.settings, "partner:read", partner_id="p-1")
    assert (await client.get("/dead-letters", headers=partner)).status_code == 403
    assert (await client.get("/dead-letters")).status_code == 401


async def test_a_dead_letter_is_redriven_once_over_http(client: httpx.AsyncClient, lettered: Kit) -> None:
    kit = lettered
    ids = {r["reason"]: r["id"] for r in await kit.db.fetch("SELECT id, reason FROM dead_letters")}
    bad1 = ids["invalid deal bad-1"]
    still = await client.post(f"/dead-letters/{bad1}/redrive", headers=ops(kit))
    assert still.status_code == 200
    assert (still.json()["redriven"], still.json()["dead_letter"]["reason"]) == (False, "invalid deal bad-1")

    await kit.db.execute("INSERT INTO toy_fixed VALUES ('bad-1'), ('bad-2')")
    done = await client.post(f"/dead-letters/{bad1}/redrive", headers=ops(kit, "r-1"))
    assert done.status_code == 200
    assert done.json()["redriven"] is True
    assert done.json()["dead_letter"]["redriven_at"] is not None
    replayed = await client.post(f"/dead-letters/{bad1}/redrive", headers=ops(kit, "r-1"))
    assert (replayed.json(), replayed.headers["Idempotent-Replayed"]) == (done.json(), "true")
    again = await client.post(f"/dead-letters/{bad1}/redrive", headers=ops(kit))
    assert again.status_code == 409
    assert again.json()["type"].endswith("already-redriven")
    assert await kit.deals(GROUP) == ["good-1", "bad-1"]

    everything = await client.post("/dead-letters/redrive", headers=ops(kit))
    assert everything.status_code == 200
    assert everything.json()["redriven"] == 1  # bad-2; the record that is no event still fails
    [failing] = everything.json()["still_failing"]
    assert failing["event_id"] is None
    assert await kit.deals(GROUP) == ["good-1", "bad-1", "bad-2"]
    listed = await client.get("/dead-letters", params={"redriven": "false"}, headers=ops(kit))
    assert [d["id"] for d in listed.json()["items"]] == [failing["id"]]


async def test_a_dead_letter_of_another_consumer_group_is_not_redriven_here(
    client: httpx.AsyncClient, lettered: Kit
) -> None:
    kit = lettered
    moved = await kit.db.fetchval(
        "UPDATE dead_letters SET consumer_group = 'retired' WHERE id = (SELECT min(id) FROM dead_letters) RETURNING id"
    )
    answer = await client.post(f"/dead-letters/{moved}/redrive", headers=ops(kit))
    assert answer.status_code == 409
    assert answer.json()["type"].endswith("other-consumer")
    assert await kit.db.fetchval("SELECT redriven_at FROM dead_letters WHERE id = $1", moved) is None
