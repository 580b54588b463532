"""The CRM inbox: verified, parsed webhook deliveries waiting for the crm-sync worker.

The webhook edge stores a delivery with ONE statement on a plain asyncpg pool (one round trip,
its own implicit transaction); the worker claims pending rows in arrival order and records each
delivery's outcome in the same transaction as its effects, so a delivery is applied exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.crm import CrmChange

INBOX_CHANNEL = "crm_inbox"

# The CTE notifies only when a row went in: a replay inserts nothing, wakes no one, returns no row.
STORE = """
WITH stored AS (
    INSERT INTO crm_inbox (source, delivery_id, payload) VALUES ($1, $2, $3::jsonb)
    ON CONFLICT (source, delivery_id) DO NOTHING
    RETURNING id
)
SELECT id, pg_notify('crm_inbox', '') FROM stored
"""
CLAIM = text(
    """
    SELECT id, source, delivery_id, payload::text AS payload FROM crm_inbox
    WHERE processed_at IS NULL
    ORDER BY id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
    """
)
FINISH = text(
    """
    UPDATE crm_inbox SET processed_at = now(), outcome = CAST(done.outcome AS jsonb)
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
    row = await pool.fetchrow(STORE, source, delivery_id, encode_changes(changes))
    return row is not None


class SqlCrmInbox:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def claim(self, limit: int) -> list[InboxDelivery]:
        rows = (await self.conn.execute(CLAIM, {"limit": limit})).all()
        return [InboxDelivery(r.id, r.source, r.delivery_id, r.payload) for r in rows]

    async def finish(self, outcomes: dict[int, dict[str, Any]]) -> None:
        if outcomes:
            ids = list(outcomes)
            await self.conn.execute(FINISH, {"ids": ids, "outcomes": [orjson.dumps(outcomes[i]).decode() for i in ids]})

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
