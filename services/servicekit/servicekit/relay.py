"""Outbox relay: publishes outbox rows to Kafka in order, then marks them published.

One relay per service is active at a time (a PostgreSQL advisory lock elects it; others wait as
hot standbys), so rows go out in outbox order and each partner's events stay in order. Rows are
claimed in batches with ``FOR UPDATE SKIP LOCKED``; the relay wakes on LISTEN/NOTIFY and polls as a
fallback. A crash between publish and mark re-publishes the batch: consumers de-duplicate on the
event id, so effects stay exactly-once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from .elected import ElectedWorker
from .unit_of_work import OUTBOX_CHANNEL

log = logging.getLogger(__name__)

CLAIM = text(
    """
    SELECT id, topic, partition_key, payload, sequence FROM outbox
    WHERE published_at IS NULL
    ORDER BY id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
    """
)
CLOUDEVENT = b"application/cloudevents+json"
PLAIN_JSON = b"application/json"  # dead-letter records are not CloudEvents
MARK = text("UPDATE outbox SET published_at = now() WHERE id = ANY(:ids)")


@dataclass
class RelayStats:
    published: int = 0
    batches: int = 0


class OutboxRelay(ElectedWorker):
    def __init__(
        self,
        engine: AsyncEngine,
        producer: AIOKafkaProducer,
        *,
        name: str,
        batch_size: int = 2000,
        poll_seconds: float = 1.0,
    ) -> None:
        super().__init__(
            engine,
            role="relay",
            lock_name=f"outbox-relay:{name}",
            channel=OUTBOX_CHANNEL,
            batch_size=batch_size,
            poll_seconds=poll_seconds,
            log_extra={"relay": name},
        )
        self.producer = producer
        self.name = name
        self.stats = RelayStats()

    async def work_batch(self) -> int:
        return await self.publish_batch()

    async def publish_batch(self) -> int:
        """Claim one batch, publish it with acks=all, mark it published. Returns rows sent."""
        async with self.engine.connect() as conn, conn.begin():
            rows = (await conn.execute(CLAIM, {"limit": self.batch_size})).all()
            if not rows:
                return 0
            futures = [
                await self.producer.send(
                    row.topic,
                    value=row.payload,
                    key=row.partition_key.encode(),
                    headers=[("content-type", CLOUDEVENT if row.sequence is not None else PLAIN_JSON)],
                )
                for row in rows
            ]
            await asyncio.gather(*futures)
            await conn.execute(MARK, {"ids": [row.id for row in rows]})
        self.stats.published += len(rows)
        self.stats.batches += 1
        return len(rows)


async def republish(engine: AsyncEngine, *, from_id: int | None = None, to_id: int | None = None) -> int:
    """Mark a range of outbox rows unpublished so the relay sends them again (broker recovery)."""
    async with engine.begin() as conn:
        result = await conn.execute(
            text(
                """
                UPDATE outbox SET published_at = NULL
                WHERE published_at IS NOT NULL
                  AND (CAST(:from_id AS bigint) IS NULL OR id >= :from_id)
                  AND (CAST(:to_id AS bigint) IS NULL OR id <= :to_id)
                """
            ),
            {"from_id": from_id, "to_id": to_id},
        )
        await conn.execute(text("SELECT pg_notify(:c, '')"), {"c": OUTBOX_CHANNEL})
        return int(result.rowcount or 0)
