"""ElectedWorker: of two instances one works at a time; when the leader's connection is killed, or
the leader stops, the other takes over, and a leader that lost its lock stops working."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from servicekit.db import create_engine
from servicekit.elected import ElectedWorker
from servicekit_toy import Kit, until
from sqlalchemy import text

LOCK = "toy-worker"


class ToyWorker(ElectedWorker):
    """Records each batch it works (a batch of nothing, so it polls every 50 ms)."""

    def __init__(self, kit: Kit, name: str) -> None:
        # An engine of its own: the leader's connection is this worker's alone.
        super().__init__(
            create_engine(kit.settings.database_url, pool_size=2),
            role="toy",
            lock_name=LOCK,
            channel="toy",
            batch_size=1,
            poll_seconds=0.05,
        )
        self.name = name

    async def work_batch(self) -> int:
        async with self.engine.begin() as conn:
            await conn.execute(text("INSERT INTO toy_batches (worker) VALUES (:w)"), {"w": self.name})
        return 0


@asynccontextmanager
async def running(worker: ToyWorker) -> AsyncIterator[ToyWorker]:
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        worker.stop()
        await asyncio.wait_for(task, timeout=10)
        await worker.engine.dispose()


async def workers_since(kit: Kit, after: int) -> set[str]:
    rows = await kit.db.fetch("SELECT DISTINCT worker FROM toy_batches WHERE n > $1", after)
    return {r["worker"] for r in rows}


async def last_batch(kit: Kit) -> int:
    return int(await kit.db.fetchval("SELECT coalesce(max(n), 0) FROM toy_batches"))


async def leader(kit: Kit) -> str:
    """The one worker working now: waits for a batch, then watches half a second of batches."""
    mark = await last_batch(kit)
    await until(lambda: someone_worked(kit, mark), True, "a worker working")
    mark = await last_batch(kit)
    await asyncio.sleep(0.5)
    active = await workers_since(kit, mark)
    assert len(active) == 1, f"{sorted(active)} worked at once"
    return active.pop()


async def someone_worked(kit: Kit, mark: int) -> bool:
    return bool(await workers_since(kit, mark))


async def lock_holder(kit: Kit) -> int:
    pid = await kit.db.fetchval(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid::bigint = $1",
        zlib.crc32(LOCK.encode()),
    )
    assert pid is not None, "nobody holds the lock"
    return int(pid)


async def test_the_standby_takes_over_when_the_leaders_connection_dies(kit: Kit) -> None:
    async with running(ToyWorker(kit, "one")), running(ToyWorker(kit, "two")):
        first = await leader(kit)
        killed = await lock_holder(kit)
        assert await kit.db.fetchval("SELECT pg_terminate_backend($1)", killed)
        # One worker only (the old leader stops when it loses the lock), on another session; the
        # old leader backs off before it stands again, so the hot standby is the one that leads.
        second = await leader(kit)
        assert await lock_holder(kit) != killed
        assert second != first


async def test_the_standby_takes_over_when_the_leader_stops(kit: Kit) -> None:
    workers = {name: ToyWorker(kit, name) for name in ("one", "two")}
    async with running(workers["one"]), running(workers["two"]):
        first = await leader(kit)
        workers[first].stop()
        second = await leader(kit)
        assert second != first


async def more_than(kit: Kit, batches: int) -> bool:
    return await last_batch(kit) > batches


class FlakyWorker(ToyWorker):
    """Fails its third batch (a broker or database error in the middle of the work)."""

    def __init__(self, kit: Kit, name: str) -> None:
        super().__init__(kit, name)
        self.batches = 0

    async def work_batch(self) -> int:
        self.batches += 1
        if self.batches == 3:
            raise ConnectionError("toy failure")
        return await super().work_batch()


async def test_a_leader_that_failed_a_batch_does_not_keep_the_lock_idle(kit: Kit) -> None:
    async with running(FlakyWorker(kit, "flaky")) as flaky:
        await until(lambda: asyncio.sleep(0, flaky.batches >= 3), True, "the failing batch")
        await until(lambda: more_than(kit, 3), True, "work after the failure")  # elected again after the back-off
        assert await leader(kit) == "flaky"
    async with running(FlakyWorker(kit, "one")), running(ToyWorker(kit, "two")):
        mark = await last_batch(kit)
        await asyncio.sleep(1.5)  # whoever leads, failing once leaves work going on
        assert await workers_since(kit, mark)
        assert await leader(kit) in {"one", "two"}
