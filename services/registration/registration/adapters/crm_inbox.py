"""The CRM inbox: verified, parsed webhook deliveries waiting for the crm-sync worker.

The webhook edge stores deliveries on a plain asyncpg pool through an :class:`InboxWriter`: the
deliveries that arrive while a store is in flight (or within a short linger before a group is
taken) are stored together by the next one, with ONE statement (one round trip, one implicit
transaction, one commit and one NOTIFY for the group: group commit), and each request is answered
only once its delivery has committed. The worker
claims pending rows in arrival order and records each delivery's outcome in the same transaction
as its effects, so a delivery is applied exactly once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.crm_shards import SPREAD_SQL, Shard, plan_claim, resume
from ..domain.crm import CrmChange
from .unit import crm_lock_bucket

log = logging.getLogger(__name__)

INBOX_CHANNEL = "crm_inbox"

# The CTE notifies only when a row went in: a replay inserts nothing, wakes no one, returns no row.
STORE = """
WITH stored AS (
    INSERT INTO crm_inbox (source, delivery_id, payload, record_buckets) VALUES ($1, $2, $3::jsonb, $4::smallint[])
    ON CONFLICT (source, delivery_id) DO NOTHING
    RETURNING id
)
SELECT id, pg_notify('crm_inbox', '') FROM stored
"""
# Many deliveries in one statement, inserted (so numbered) in the order given. A key given twice
# is stored once (its first occurrence). PostgreSQL delivers identical notifications of one
# transaction once: one wake-up per group. Nothing stored, nothing notified.
STORE_MANY = """
WITH stored AS (
    INSERT INTO crm_inbox (source, delivery_id, payload, record_buckets)
    SELECT source, delivery_id, payload::jsonb, buckets::smallint[]
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
        WITH ORDINALITY AS given(source, delivery_id, payload, buckets, n)
    ORDER BY n
    ON CONFLICT (source, delivery_id) DO NOTHING
    RETURNING source, delivery_id
)
SELECT source, delivery_id, pg_notify('crm_inbox', '') FROM stored
"""
MAX_GROUP = 200  # deliveries per statement (each holds up to 100 notifications)
# How long a group may wait for more deliveries before it is stored (unless it is full; it stops
# waiting as soon as a wait brings none). Deliveries arriving at a steady rate otherwise go in groups
# of one or two: at 5,000/s, 2 ms took the API's CPU per delivery from ~145 to ~112 µs and
# PostgreSQL's from ~35 to ~22 µs, for ~2.5 ms of latency.
DEFAULT_LINGER_SECONDS = 0.002
STOPPED = "the inbox writer stopped before this delivery was stored"
# The shard's pending deliveries in arrival order, read without locking (the plan decides which to
# take: application/crm_shards.py); then the chosen ones are locked, waiting for a transaction that
# holds them (a worker that lost its election mid-batch) and dropping any it applied meanwhile.
SHARD_COUNT_SPACE = 7_305  # every crm-sync batch holds (this, its shard count) shared
# Workers counting shards differently must never apply batches at the same time (their shards
# would overlap): each batch takes its count's lock, then looks for a batch holding another count's.
# Advisory locks are per database but pg_locks lists the whole server's: only this database's count.
SHARD_COUNT = text(
    """
    SELECT pg_advisory_xact_lock_shared(:space, :shards),
           EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
                   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND classid = :space AND objsubid = 2 AND objid <> :shards) AS other
    """
)
SHARD_OF_B = f"{SPREAD_SQL.format(b='b')} % :shards"
CANDIDATES = text(
    f"""
    SELECT id, record_buckets FROM crm_inbox
    WHERE processed_at IS NULL
      AND (CAST(:shards AS int) = 1 OR record_buckets IS NULL
           OR (cardinality(record_buckets) = 0 AND CAST(:shard AS int) = 0)
           OR EXISTS (SELECT 1 FROM unnest(record_buckets) AS b WHERE {SHARD_OF_B} = :shard))
    ORDER BY id
    LIMIT :limit
    """
)
# Whether an earlier delivery touching one of these shards is still pending (not counting ours).
OTHERS_PENDING = text(
    f"""
    SELECT EXISTS (
        SELECT 1 FROM crm_inbox
        WHERE processed_at IS NULL AND id < :before AND id <> ALL(CAST(:taken AS bigint[]))
          AND (record_buckets IS NULL
               OR (cardinality(record_buckets) = 0 AND 0 = ANY(CAST(:others AS int[])))
               OR EXISTS (SELECT 1 FROM unnest(record_buckets) AS b WHERE {SHARD_OF_B} = ANY(CAST(:others AS int[]))))
    )
    """
)
CLAIM = text(
    """
    SELECT id, source, delivery_id, payload::text AS payload FROM crm_inbox
    WHERE id = ANY(CAST(:ids AS bigint[])) AND processed_at IS NULL
    ORDER BY id
    FOR UPDATE
    """
)
FINISH = text(
    """
    UPDATE crm_inbox SET processed_at = clock_timestamp(), outcome = CAST(done.outcome AS jsonb)
    FROM unnest(CAST(:ids AS bigint[]), CAST(:outcomes AS text[])) AS done(id, outcome)
    WHERE crm_inbox.id = done.id
    """
)
STATUS = text(
    """
    SELECT id, received_at, processed_at, outcome::text AS outcome FROM crm_inbox
    WHERE source = :source AND delivery_id = :delivery_id
    """
)


@dataclass(frozen=True)
class InboxDelivery:
    id: int
    source: str
    delivery_id: str
    payload: str

    def changes(self) -> list[CrmChange]:
        return decode_changes(self.payload)


def encode_changes(changes: Sequence[CrmChange]) -> str:
    return orjson.dumps(
        {
            "changes": [
                {
                    "record_id": c.record_id,
                    "delivery_id": c.delivery_id,
                    "version": c.version,
                    "occurred_at": c.occurred_at.isoformat(),
                    "fields": c.fields,
                }
                for c in changes
            ]
        }
    ).decode()


def record_buckets(source: str, changes: Sequence[CrmChange]) -> list[int]:
    """The lock buckets of the CRM records a delivery touches (sorted): the crm-sync shards it concerns."""
    return sorted({crm_lock_bucket(source, c.record_id) for c in changes})


def _array_literal(values: Sequence[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


def decode_changes(payload: str) -> list[CrmChange]:
    return [
        CrmChange(
            record_id=c["record_id"],
            delivery_id=c["delivery_id"],
            version=int(c["version"]),
            occurred_at=datetime.fromisoformat(c["occurred_at"]),
            fields=c["fields"],
        )
        for c in orjson.loads(payload)["changes"]
    ]


async def _no_reset(_: asyncpg.Connection) -> None:
    """Edge connections run single autocommit statements only: nothing to reset between uses."""


async def create_edge_pool(dsn: str, size: int) -> asyncpg.Pool:
    return await asyncpg.create_pool(dsn, min_size=1, max_size=size, reset=_no_reset)


async def store(pool: asyncpg.Pool, source: str, delivery_id: str, changes: Sequence[CrmChange]) -> bool:
    """Durably store a delivery; False when the source already sent this delivery id."""
    return await _store_one(pool, source, delivery_id, encode_changes(changes), record_buckets(source, changes))


async def _store_one(pool: asyncpg.Pool, source: str, delivery_id: str, payload: str, buckets: list[int]) -> bool:
    row = await pool.fetchrow(STORE, source, delivery_id, payload, buckets)
    return row is not None


@dataclass
class _Waiting:
    source: str
    delivery_id: str
    payload: str
    buckets: list[int]
    stored: asyncio.Future[bool] = field(repr=False)


class InboxWriter:
    """Stores deliveries with group commit: what arrives while a store is in flight goes next, together.

    ``store`` returns once the delivery is committed: True when it is new, False for a delivery id
    the source already sent (earlier, or earlier in the same group). One statement is in flight at a
    time, so deliveries are numbered exactly in the order they reached ``store`` and a request waits
    for at most ``linger`` seconds, the group in flight and its own. If a group's statement fails,
    its deliveries are stored one by one, so an error belongs to its own request only.
    """

    def __init__(
        self, pool: asyncpg.Pool, *, max_group: int = MAX_GROUP, linger: float = DEFAULT_LINGER_SECONDS
    ) -> None:
        self.pool = pool
        self.max_group = max_group
        self.linger = linger
        self._queue: list[_Waiting] = []
        self._flusher: asyncio.Task[None] | None = None

    async def store(self, source: str, delivery_id: str, changes: Sequence[CrmChange]) -> bool:
        waiting = _Waiting(
            source,
            delivery_id,
            encode_changes(changes),
            record_buckets(source, changes),
            asyncio.get_running_loop().create_future(),
        )
        self._queue.append(waiting)
        if self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush())
        # The group is stored even if this request is cancelled meanwhile (as a statement in flight was).
        return await asyncio.shield(waiting.stored)

    async def close(self) -> None:
        """Wait for the stores in flight (call before closing the pool)."""
        while self._flusher is not None:
            await asyncio.wait({self._flusher})

    async def _flush(self) -> None:
        try:
            while self._queue:
                await self._linger()
                group, self._queue = self._queue[: self.max_group], self._queue[self.max_group :]
                try:
                    await self._store_group(group)
                except BaseException as exc:  # never leave a request waiting forever
                    error = exc if isinstance(exc, Exception) else RuntimeError(STOPPED)
                    for waiting in group:
                        if not waiting.stored.done():
                            waiting.stored.set_exception(error)
                    if error is not exc:
                        raise
        finally:
            self._flusher = None
            # Only when cancelled (shutdown) with deliveries still queued: they were not stored.
            leftover, self._queue = self._queue, []
            for waiting in leftover:
                waiting.stored.set_exception(RuntimeError(STOPPED))

    async def _linger(self) -> None:
        """Let the group fill while deliveries keep arriving, for at most ``linger``: a steady stream
        then goes in one statement and commit instead of one or two each. A wait that brought nothing
        ends it at once (every client is waiting on this group, say: nothing more will come)."""
        waited, step = 0.0, self.linger / 2
        while waited < self.linger and len(self._queue) < self.max_group:
            arrived = len(self._queue)
            await asyncio.sleep(step)
            waited += step
            if len(self._queue) == arrived:
                return

    async def _store_group(self, group: list[_Waiting]) -> None:
        if len(group) == 1:
            [only] = group
            try:
                only.stored.set_result(
                    await _store_one(self.pool, only.source, only.delivery_id, only.payload, only.buckets)
                )
            except Exception as exc:
                only.stored.set_exception(exc)
            return
        try:
            rows = await self.pool.fetch(
                STORE_MANY,
                [w.source for w in group],
                [w.delivery_id for w in group],
                [w.payload for w in group],
                [_array_literal(w.buckets) for w in group],
            )
        except asyncpg.PostgresError as exc:
            # One bad delivery (say, text PostgreSQL refuses) must not fail the others: one by one.
            log.warning("storing %d deliveries together failed (%s); storing them one by one", len(group), exc)
            for waiting in group:
                await self._store_group([waiting])
            return
        inserted = {(r["source"], r["delivery_id"]) for r in rows}
        for waiting in group:
            key = (waiting.source, waiting.delivery_id)
            # The first occurrence of a key in the group is the one stored; a repeat is a duplicate.
            waiting.stored.set_result(key in inserted)
            inserted.discard(key)


class ShardCountMismatch(Exception):
    """A crm-sync batch of a worker configured with another shard count is running: stop them all
    before changing REGISTRATION_CRM_SYNC_SHARDS."""


class SqlCrmInbox:
    """The inbox as one crm-sync shard sees it (the only shard by default)."""

    def __init__(self, conn: AsyncConnection, shard: Shard | None = None) -> None:
        self.conn = conn
        self.shard = shard or Shard()

    async def claim(self, limit: int) -> list[InboxDelivery]:
        shard = {"shard": self.shard.index, "shards": self.shard.count}
        guard = (await self.conn.execute(SHARD_COUNT, {"space": SHARD_COUNT_SPACE, "shards": self.shard.count})).one()
        if guard.other:
            raise ShardCountMismatch(f"crm-sync {self.shard}: a worker with another shard count is applying a batch")
        candidates = (await self.conn.execute(CANDIDATES, {**shard, "limit": limit})).all()
        plan = plan_claim(self.shard, [(r.id, r.record_buckets) for r in candidates])
        while plan.check is not None:
            params = {**shard, "before": plan.check, "taken": plan.take, "others": sorted(plan.others)}
            plan = resume(self.shard, plan, clear=not (await self.conn.execute(OTHERS_PENDING, params)).scalar())
        if not plan.take:
            return []
        rows = (await self.conn.execute(CLAIM, {"ids": plan.take})).all()
        return [InboxDelivery(r.id, r.source, r.delivery_id, r.payload) for r in rows]

    async def finish(self, outcomes: dict[int, dict[str, Any]]) -> None:
        if outcomes:
            ids = list(outcomes)
            await self.conn.execute(FINISH, {"ids": ids, "outcomes": [orjson.dumps(outcomes[i]).decode() for i in ids]})
            if self.shard.count > 1:  # a shard waiting in front of a barrier may go on once this commits
                await self.conn.execute(text("SELECT pg_notify(:channel, '')"), {"channel": INBOX_CHANNEL})

    async def status(self, source: str, delivery_id: str) -> dict[str, Any] | None:
        row = (await self.conn.execute(STATUS, {"source": source, "delivery_id": delivery_id})).first()
        if row is None:
            return None
        outcome = orjson.loads(row.outcome) if row.outcome else None
        return {
            "source": source,
            "delivery_id": delivery_id,
            "status": "pending" if row.processed_at is None else (outcome or {}).get("status", "applied"),
            "received_at": row.received_at,
            "processed_at": row.processed_at,
            "outcome": outcome,
        }
