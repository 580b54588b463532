"""crm-sync sharded by CRM record: every record's deliveries apply in arrival order, each exactly once,
whatever the shards' interleaving, and when a shard's worker process is SIGKILLed mid-stream.

Each test applies the same seeded workload twice in one database: once one delivery batch after the
other on a single shard (the reference: what the single worker did), once on several shards side by
side. Everything the two runs leave (deals, history, merged records, every notification's outcome,
every delivery's outcome) must be identical, and each record's deliveries committed in arrival order.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
from registration.adapters.crm_inbox import SHARD_COUNT_SPACE, ShardCountMismatch, record_buckets
from registration.config import RegistrationSettings
from registration.domain.crm import CrmChange
from registration.entrypoints.api import create_app
from registration.entrypoints.crm_worker import DrainCounts, Shard, drain_batch, drain_crm_inbox
from servicekit.container import app_container
from servicekit.db import sync_url
from servicekit.testing.client import app_client
from servicekit.testing.databases import with_database

from .crm_workload import (
    PARTNERS,
    SOURCE,
    Delivery,
    enroll_partners,
    order_violations,
    pending,
    snapshot,
    store_all,
    workload,
)
from .processes import ServiceProcess, settings_env
from .workers import eventually

REFERENCE, SHARDED = "oneworker-", "sharded-"  # the two runs' name prefixes
RECORDS = 18  # few records, so their deliveries interleave across shards; six per partner and run


@pytest.fixture
async def client(registration_settings: RegistrationSettings) -> AsyncIterator[httpx.AsyncClient]:
    # The system clock, as the worker processes of the SIGKILL test have.
    app = create_app(registration_settings)
    async with app_client(app) as client:
        await enroll_partners(client, registration_settings)
        yield client


def _app(client: httpx.AsyncClient):  # type: ignore[no-untyped-def]
    return app_container(client._transport.app)  # type: ignore[attr-defined]


async def _reference(client: httpx.AsyncClient, settings: RegistrationSettings, seed: int, deliveries: int) -> None:
    """The workload under the reference prefix, applied by one worker as before sharding."""
    await store_all(settings, workload(seed, REFERENCE, records=RECORDS, deliveries=deliveries))
    container = _app(client)
    await drain_crm_inbox(container.runtime.uow_factory, container.crm_sync(), limit=7)


async def _shard_loop(client: httpx.AsyncClient, shard: Shard, rng: random.Random, pool: asyncpg.Pool) -> int:
    """Drain one shard in small random batches with random pauses until nothing is pending."""
    container = _app(client)
    retries = 0
    for _ in range(5000):  # bounded: a shard stuck for good fails the test instead of hanging it
        if await pending(pool, SHARDED) == 0:
            return retries
        try:
            counts = await drain_batch(
                container.runtime.uow_factory, container.crm_sync(), limit=rng.randint(1, 6), shard=shard
            )
        except Exception:  # a deadlock between shards rolls the batch back; the worker retries it
            retries += 1
            counts = DrainCounts()
        await asyncio.sleep(rng.uniform(0, 0.004) if counts.total else 0.01)
    raise AssertionError(f"shard {shard} never finished")


@pytest.mark.parametrize(("seed", "shards"), [(1, 2), (2, 3), (3, 4)])
async def test_shards_in_random_interleavings_apply_every_record_in_order_exactly_once(
    client: httpx.AsyncClient, registration_settings: RegistrationSettings, seed: int, shards: int
) -> None:
    await _reference(client, registration_settings, seed, 120)
    sharded = workload(seed, SHARDED, records=RECORDS, deliveries=120)
    assert any(len({c.record_id for c in d.changes}) > 1 for d in sharded)  # deliveries spanning records
    await store_all(registration_settings, sharded)
    pool = await asyncpg.create_pool(sync_url(registration_settings.database_url), min_size=1, max_size=shards)
    try:
        rng = random.Random(seed)
        loops = [_shard_loop(client, Shard(i, shards), random.Random(rng.random()), pool) for i in range(shards)]
        await asyncio.gather(*loops)
        async with pool.acquire() as conn:
            assert await order_violations(conn, sharded) == []
            assert await snapshot(conn, SHARDED) == await snapshot(conn, REFERENCE)
    finally:
        await pool.close()


async def test_a_delivery_without_records_and_one_stored_before_the_buckets_are_applied(
    client: httpx.AsyncClient, registration_settings: RegistrationSettings
) -> None:
    """No record: shard 0 applies it. No buckets (stored by an edge older than revision 0008): a
    barrier for every shard, applied once each shard has applied what came before it."""
    first = workload(5, SHARDED, records=RECORDS, deliveries=12)
    await store_all(registration_settings, [*first, Delivery(f"{SHARDED}empty", ())])
    conn = await asyncpg.connect(sync_url(registration_settings.database_url))
    try:
        await conn.execute(
            """INSERT INTO crm_inbox (source, delivery_id, payload)
               SELECT source, $1, payload FROM crm_inbox WHERE delivery_id = $2""",
            f"{SHARDED}old",
            first[0].delivery_id,
        )
        container = _app(client)
        for _ in range(10):  # the shards in turn until nothing is left (bounded: a stuck shard fails)
            if await pending(conn, SHARDED) == 0:
                break
            for index in range(3):
                await drain_crm_inbox(container.runtime.uow_factory, container.crm_sync(), shard=Shard(index, 3))
        assert await pending(conn, SHARDED) == 0
        assert await order_violations(conn, [*first, Delivery(f"{SHARDED}old", first[0].changes)]) == []
    finally:
        await conn.close()


async def test_workers_counting_shards_differently_never_apply_batches_together(
    client: httpx.AsyncClient, registration_settings: RegistrationSettings
) -> None:
    await store_all(registration_settings, workload(9, SHARDED, records=RECORDS, deliveries=4))
    container = _app(client)
    other = await asyncpg.connect(sync_url(registration_settings.database_url))
    try:
        async with other.transaction():  # a batch of a worker configured with three shards, in flight
            await other.execute("SELECT pg_advisory_xact_lock_shared($1, 3)", SHARD_COUNT_SPACE)
            with pytest.raises(ShardCountMismatch):
                await drain_batch(container.runtime.uow_factory, container.crm_sync(), shard=Shard(0, 2))
            counts = await drain_batch(container.runtime.uow_factory, container.crm_sync(), shard=Shard(0, 3))
        assert counts.total > 0  # the same count works beside it
        # That batch over, a worker with two shards goes on.
        await drain_batch(container.runtime.uow_factory, container.crm_sync(), shard=Shard(0, 2))
    finally:
        await other.close()


async def test_a_batch_counting_shards_differently_in_another_database_is_no_obstacle(
    client: httpx.AsyncClient, registration_settings: RegistrationSettings
) -> None:
    """Advisory locks belong to a database: another registration database on the same server (a
    tenant, a second environment, a parallel test) may run crm-sync with another shard count."""
    await store_all(registration_settings, workload(10, SHARDED, records=RECORDS, deliveries=4))
    container = _app(client)
    elsewhere = await asyncpg.connect(with_database(sync_url(registration_settings.database_url), "postgres"))
    try:
        async with elsewhere.transaction():  # a three-shard batch in flight in the server's other database
            await elsewhere.execute("SELECT pg_advisory_xact_lock_shared($1, 3)", SHARD_COUNT_SPACE)
            counts = await drain_batch(container.runtime.uow_factory, container.crm_sync(), shard=Shard(0, 1))
        assert counts.total > 0
    finally:
        await elsewhere.close()


async def test_records_of_one_customer_on_different_shards_still_conflict(
    client: httpx.AsyncClient, registration_settings: RegistrationSettings
) -> None:
    """Three partners' records of one customer, spread over the shards: the customer locks (the same
    buckets as the API's and bulk registration's) still leave exactly one registration first."""
    customers = 8
    sharded = [
        Delivery(f"{SHARDED}d{c}-{p}", (_registration(f"{SHARDED}r{c}-{p}", f"{SHARDED}d{c}-{p}/0", c, partner),))
        for c in range(customers)
        for p, partner in enumerate(PARTNERS)
    ]
    shard_of = {d.delivery_id: Shard(0, 2).touched(record_buckets(SOURCE, d.changes)) for d in sharded}
    assert any(len({min(shard_of[f"{SHARDED}d{c}-{p}"]) for p in range(3)}) > 1 for c in range(customers))
    await store_all(registration_settings, sharded)
    pool = await asyncpg.create_pool(sync_url(registration_settings.database_url), min_size=1, max_size=2)
    try:
        rng = random.Random(11)
        await asyncio.gather(*(_shard_loop(client, Shard(i, 2), random.Random(rng.random()), pool) for i in range(2)))
        rows = await pool.fetch(
            "SELECT customer_domain, status FROM deals WHERE deal_id LIKE $1", f"{SOURCE}-{SHARDED}%"
        )
    finally:
        await pool.close()
    assert len(rows) == customers * len(PARTNERS)
    for c in range(customers):
        statuses = sorted(r["status"] for r in rows if r["customer_domain"] == f"{SHARDED}c{c}.example")
        assert statuses.count("conflict") == len(PARTNERS) - 1, (c, statuses)


def _registration(record_id: str, notification_id: str, customer: int, partner: str) -> CrmChange:
    fields: dict[str, str | None] = {
        "partner_id": partner,
        "customer_name": f"Customer {customer}",
        "customer_domain": f"{SHARDED}c{customer}.example",
        "product_line": "cloud",
        "amount": "1000.00",
        "currency": "USD",
        "close_date": "2026-06-30",
        "stage": "open",
        "created_date": "2026-03-02",
    }
    return CrmChange(record_id, notification_id, 1, datetime(2026, 3, 2, 9, tzinfo=UTC), fields)


def _worker(settings: RegistrationSettings, args: list[str], name: str, tmp_path) -> ServiceProcess:  # type: ignore[no-untyped-def]
    env = {**settings_env(settings, "REGISTRATION_"), "REGISTRATION_HEARTBEAT_PATH": str(tmp_path / name)}
    return ServiceProcess(["registration", "crm-sync", *args], env, tmp_path / f"{name}.log")


async def _all_running(workers: list[ServiceProcess], since: dict[int, float]) -> bool:
    """Every shard worker process (a supervisor's children included) beat since it was last started:
    each is up, leading its shard or standing by for it."""
    for index, worker in enumerate(workers):
        beats = [Path(worker.env["REGISTRATION_HEARTBEAT_PATH"] + f".shard{s}") for s in (0, 1)]
        shards = beats if "--shard" not in worker.args else [beats[int(worker.args[-1])]]
        if not all(b.exists() and b.stat().st_mtime >= since[index] for b in shards):
            return False
    return True


async def _elections(workers: list[ServiceProcess], at_least: int) -> bool:
    return sum(w.log.read_text().count("is leader") for w in workers) >= at_least


@pytest.mark.slow
async def test_sigkill_a_shard_worker_mid_stream_loses_and_doubles_nothing(
    client: httpx.AsyncClient, registration_settings: RegistrationSettings, tmp_path
) -> None:
    settings = registration_settings.model_copy(update={"crm_sync_shards": 2, "crm_sync_batch": 5})
    await _reference(client, settings, 7, 360)
    sharded = workload(7, SHARDED, records=RECORDS, deliveries=360)
    # Every shard has two processes, each with its own election: `crm-sync` (the supervisor and one
    # child per shard, killed together) and one `crm-sync --shard I` per shard.
    workers = [
        _worker(settings, [], "supervised", tmp_path),
        _worker(settings, ["--shard", "0"], "shard0", tmp_path),
        _worker(settings, ["--shard", "1"], "shard1", tmp_path),
    ]
    started = {}
    for index, worker in enumerate(workers):
        started[index] = time.time()
        worker.start()
    conn = await asyncpg.connect(sync_url(settings.database_url))
    rng = random.Random(20261204)
    # Each process in turn, twice: whoever leads a shard at a kill, its standby leads it after.
    victims = iter([workers[1], workers[2], workers[0]] * 2)
    try:
        for start in range(0, len(sharded), 20):  # deliveries keep arriving while workers die
            if start % 60 == 0:  # every process up (a standby for each shard) before the next kill
                await eventually(lambda: _all_running(workers, started), timeout=60, interval=0.2)
            await store_all(settings, sharded[start : start + 20])
            await asyncio.sleep(rng.uniform(0.02, 0.2))
            if start % 60 == 40:
                victim = next(victims)
                victim.kill()  # SIGKILL, wherever it is: maybe mid-batch, maybe holding a shard
                started[workers.index(victim)] = time.time()
                victim.start()  # and it comes back as a standby
        assert sum(w.kills for w in workers) == 6

        async def all_applied() -> bool:
            return await pending(conn, SHARDED) == 0

        await eventually(all_applied, timeout=120, interval=0.25)
        assert await _elections(workers, 5)  # the shards changed hands: standbys took them over
        assert await order_violations(conn, sharded) == []
        assert await snapshot(conn, SHARDED) == await snapshot(conn, REFERENCE)
    finally:
        await conn.close()
        for worker in workers:
            worker.stop()
