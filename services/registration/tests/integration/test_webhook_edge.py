"""The webhook fast path (WebhookEdge) and the inbox's group commit (InboxWriter).

The edge answers POST /webhooks/* without FastAPI's routing; it must answer exactly as the
documented FastAPI routes do (status, content type, body, correlation id), for good and bad
requests alike. The writer stores concurrent deliveries with one statement per group; each request
must still learn whether its own delivery is new, in arrival order, and one bad delivery must fail
alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import asyncpg
import httpx
import orjson
import pytest
from registration.adapters import crm_inbox
from registration.adapters.crm_inbox_writer import InboxWriter, create_edge_pool
from registration.config import RegistrationSettings
from registration.domain.crm import CrmChange
from registration.entrypoints.api import create_app
from registration.entrypoints.routes.webhooks import WebhookEdge
from servicekit.db import sync_url
from servicekit.testing.client import app_client

from ..conftest import ALEMBIC_INI, FixedClock
from .crm_clients import CRMS, Opportunity, SalesforceCrm
from .helpers import enroll, fetch

SOURCES = sorted(CRMS)


@contextlib.asynccontextmanager
async def client_for(
    settings: RegistrationSettings, clock: FixedClock, *, edge: bool
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, clock=clock)
    if not edge:  # the plain FastAPI routes only
        app.user_middleware[:] = [m for m in app.user_middleware if m.cls is not WebhookEdge]
    async with app_client(app) as client:
        yield client


def fresh_settings(database_factory, kafka_bootstrap, topic_prefix) -> RegistrationSettings:
    return RegistrationSettings(
        environment="test",
        database_url=database_factory.create(ALEMBIC_INI, prefix="reg"),
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
    )


def flipped(body: bytes) -> bytes:
    middle = len(body) // 2
    return body[:middle] + bytes([body[middle] ^ 1]) + body[middle + 1 :]


def requests_for(source: str, settings: RegistrationSettings) -> list[tuple[str, str, bytes, dict[str, str]]]:
    """(label, path, body, headers) for every kind of answer a webhook gives."""
    crm = CRMS[source](settings)
    good = crm.body("dl-1", [Opportunity("opp-1", 1, "open")])
    changed = crm.body("dl-2", [Opportunity("opp-2", 1, "open")])
    garbage = b'{"records": "nope"}' if source != "salesforce" else b"<not-xml"
    too_many = crm.body("dl-3", [Opportunity(f"opp-{i}", 1, "open") for i in range(101)])
    cases = [
        ("accepted", crm.path, good, crm.headers(good)),
        ("replayed", crm.path, good, crm.headers(good)),
        ("one byte changed", crm.path, flipped(changed), crm.headers(changed)),
        ("unsigned", crm.path, good, {"Content-Type": "application/json"}),
        ("stale", crm.path, changed, crm.headers(changed, timestamp=time.time() - 3600)),
        ("malformed", crm.path, garbage, crm.headers(garbage)),
        ("too many", crm.path, too_many, crm.headers(too_many)),
    ]
    if isinstance(crm, SalesforceCrm):
        crm.org_id = "00D999999999999"
        foreign = crm.body("dl-4", [Opportunity("opp-4", 1, "open")])
        cases.append(("other organization", crm.path, foreign, crm.headers(foreign)))
    return cases


def comparable(response: httpx.Response) -> tuple[int, str | None, str | None, object]:
    content_type = response.headers.get("content-type")
    body: object = response.json() if content_type and "json" in content_type else response.content
    return response.status_code, content_type, response.headers.get("x-correlation-id"), body


@pytest.mark.parametrize("source", SOURCES)
async def test_the_edge_answers_exactly_as_the_fastapi_routes(
    database_factory, kafka_bootstrap, topic_prefix, clock, source
):
    answers = {}
    stored = {}
    for edge in (True, False):
        settings = fresh_settings(database_factory, kafka_bootstrap, topic_prefix)
        async with client_for(settings, clock, edge=edge) as client:
            await enroll(client, settings, "p1")
            answers[edge] = []
            for label, path, body, headers in requests_for(source, settings):
                response = await client.post(path, content=body, headers={**headers, "X-Correlation-ID": label})
                answers[edge].append((label, comparable(response)))
            generated = await client.post(f"/webhooks/{source}", content=b"{}")
            assert generated.status_code == 401
            assert len(generated.headers["x-correlation-id"]) == 36  # made up when none was sent
        rows = await fetch(settings, "SELECT source, delivery_id, payload::text AS payload FROM crm_inbox ORDER BY id")
        stored[edge] = [(r["source"], r["delivery_id"], orjson.loads(r["payload"])) for r in rows]
    assert answers[True] == answers[False]
    statuses = dict((label, answer[0]) for label, answer in answers[True])
    assert statuses == {
        "accepted": 202,
        "replayed": 202,
        "one byte changed": 401,
        "unsigned": 401,
        "stale": 401,
        "malformed": 400,
        "too many": 400,
    } | ({"other organization": 403} if source == "salesforce" else {})
    refused = dict(answers[True])["unsigned"]
    assert refused[1] == "application/problem+json"
    assert refused[3]["instance"] == f"/webhooks/{source}"  # type: ignore[index]
    assert dict(answers[True])["accepted"][2] == "accepted"  # the correlation id is echoed
    assert len(stored[True]) == 1
    assert stored[True] == stored[False]


async def test_other_methods_and_paths_still_go_through_fastapi(registration_client, registration_settings):
    assert (await registration_client.get("/webhooks/generic")).status_code == 405
    assert (await registration_client.post("/webhooks/unknown", content=b"{}")).status_code == 404
    paths = (await registration_client.get("/openapi.json")).json()["paths"]
    for source in SOURCES:
        assert "post" in paths[f"/webhooks/{source}"]


async def test_the_edge_passes_everything_else_to_the_app():
    seen: list[str] = []

    async def inner(scope, receive, send):
        seen.append(f"{scope['method']} {scope['path']}" if scope["type"] == "http" else scope["type"])

    edge = WebhookEdge(inner)
    for method, path in (("GET", "/webhooks/generic"), ("POST", "/webhooks/generic/"), ("POST", "/deals")):
        await edge({"type": "http", "method": method, "path": path, "root_path": ""}, None, None)
    await edge({"type": "lifespan"}, None, None)
    assert seen == ["GET /webhooks/generic", "POST /webhooks/generic/", "POST /deals", "lifespan"]


# ---------------------------------------------------------------------------------------------
# InboxWriter: group commit


def change(record_id: str) -> list[CrmChange]:
    from datetime import UTC, datetime

    return [CrmChange(record_id, f"{record_id}/0", 1, datetime(2026, 3, 2, tzinfo=UTC), {"stage": "open"})]


@pytest.fixture
async def edge_pool(registration_settings) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_edge_pool(sync_url(registration_settings.database_url), 4)
    try:
        yield pool
    finally:
        await pool.close()


async def inbox(settings: RegistrationSettings) -> list[tuple[str, str]]:
    return [(r["source"], r["delivery_id"]) for r in await fetch(settings, "SELECT * FROM crm_inbox ORDER BY id")]


async def test_concurrent_deliveries_are_stored_once_each_in_arrival_order(edge_pool, registration_settings):
    writer = InboxWriter(edge_pool, max_group=7)
    ids = [f"dl-{i}" for i in range(60)]
    # Every id twice (the repeat right behind it, so often in the same group), plus a replay of dl-0
    # long after it was stored.
    stores = [writer.store("generic", i, change(i)) for i in ids for _ in range(2)]
    results = await asyncio.gather(*stores)
    assert results == [True, False] * len(ids)
    assert await writer.store("generic", "dl-0", change("dl-0")) is False
    assert await writer.store("hubspot", "dl-0", change("dl-0")) is True  # unique per source
    await writer.close()
    assert await inbox(registration_settings) == [("generic", i) for i in ids] + [("hubspot", "dl-0")]
    rows = await fetch(registration_settings, "SELECT payload::text AS payload FROM crm_inbox ORDER BY id LIMIT 1")
    assert crm_inbox.decode_changes(rows[0]["payload"]) == change("dl-0")


async def test_deliveries_arriving_within_the_linger_are_stored_by_one_statement(edge_pool, registration_settings):
    writer = InboxWriter(edge_pool, linger=0.5)

    async def arriving(index: int) -> bool:
        await asyncio.sleep(0.02 * index)  # one at a time, as a steady stream of webhooks arrives
        return await writer.store("generic", f"dl-{index}", change(f"r{index}"))

    assert await asyncio.gather(*(arriving(i) for i in range(5))) == [True] * 5
    await writer.close()
    assert await inbox(registration_settings) == [("generic", f"dl-{i}") for i in range(5)]
    # One statement is one transaction: every row carries the same inserting transaction id.
    [row] = await fetch(registration_settings, "SELECT count(DISTINCT xmin::text) AS n FROM crm_inbox")
    assert row["n"] == 1


async def test_a_delivery_postgresql_refuses_fails_alone(edge_pool, registration_settings):
    writer = InboxWriter(edge_pool, max_group=50)
    blocker = writer.store("generic", "first", change("first"))
    group = [writer.store("generic", f"ok-{i}", change("r")) for i in range(3)]
    group.insert(1, writer.store("generic", "bad\x00id", change("r")))  # text PostgreSQL refuses
    results = await asyncio.gather(blocker, *group, return_exceptions=True)
    assert results[0] is True
    assert [r for i, r in enumerate(results[1:]) if i != 1] == [True, True, True]
    assert isinstance(results[2], asyncpg.PostgresError)
    assert await inbox(registration_settings) == [("generic", "first")] + [("generic", f"ok-{i}") for i in range(3)]


async def test_a_group_wakes_the_worker(edge_pool, registration_settings):
    listener = await asyncpg.connect(sync_url(registration_settings.database_url))
    woken = asyncio.Event()
    await listener.add_listener(crm_inbox.INBOX_CHANNEL, lambda *_: woken.set())
    try:
        writer = InboxWriter(edge_pool)
        await asyncio.gather(*(writer.store("generic", f"dl-{i}", change("r")) for i in range(20)))
        await asyncio.wait_for(woken.wait(), timeout=5)
        woken.clear()
        # A replay stores nothing and wakes no one.
        await writer.store("generic", "dl-1", change("r"))
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(woken.wait(), timeout=0.3)
    finally:
        await listener.close()
