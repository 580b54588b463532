"""The CRM inbox: verified, parsed webhook deliveries waiting for the crm-sync worker.

The webhook edge stores deliveries through an :class:`~.crm_inbox_writer.InboxWriter` (group
commit), and each request is answered only once its delivery has committed. The worker
claims pending rows in arrival order and records each delivery's outcome in the same transaction
as its effects, so a delivery is applied exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.crm_shards import SPREAD_SQL, Shard, plan_claim, resume
from ..domain.crm import CrmChange
from .unit import crm_lock_bucket

INBOX_CHANNEL = "crm_inbox"

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
