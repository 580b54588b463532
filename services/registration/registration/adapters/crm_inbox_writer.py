"""The webhook edge's writes to the CRM inbox: group commit of verified deliveries.

The deliveries that arrive while a store is in flight (or within a short linger before a group is
taken) are stored together by the next one, with ONE statement on a plain asyncpg pool (one round
trip, one implicit transaction, one commit and one NOTIFY for the group), and each request is
answered only once its delivery has committed. The crm-sync worker's side is :mod:`.crm_inbox`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg

from ..domain.crm import CrmChange
from .crm_inbox import encode_changes, record_buckets

log = logging.getLogger(__name__)

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


def _array_literal(values: Sequence[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


async def _no_reset(_: asyncpg.Connection) -> None:
    """Edge connections run single autocommit statements only: nothing to reset between uses."""


async def create_edge_pool(dsn: str, size: int) -> asyncpg.Pool:
    return await asyncpg.create_pool(dsn, min_size=1, max_size=size, reset=_no_reset)


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
