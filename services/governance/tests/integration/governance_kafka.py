"""Producing other services' events to the test broker, running the governance consumer, reading rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from governance.bootstrap import bootstrap
from governance.config import GovernanceSettings
from governance.entrypoints.consumer import ACTIVITY_FEED
from incentive_contracts import topics
from incentive_contracts.payload import EventPayload
from incentive_contracts.registry import encode
from servicekit.consumer import IdempotentConsumer
from servicekit.db import sync_url
from servicekit.kafka import ensure_topics
from servicekit.runner import all_topics
from servicekit.testing.consumers import in_background
from servicekit.testing.waiting import until

__all__ = ["fetch", "publish", "running_consumer", "until"]

SOURCE_TOPICS = {
    "/registration": topics.REGISTRATION,
    "/mdf": topics.MDF,
    "/ledger": topics.LEDGER,
    "/governance": topics.GOVERNANCE,
}


async def publish(settings: GovernanceSettings, source: str, events: list[tuple[EventPayload, date]]) -> None:
    """Send events as their producer would, each recorded on the given day."""
    await ensure_topics(settings, all_topics(settings.topic_prefix))
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
    await producer.start()
    try:
        for n, (payload, day) in enumerate(events, start=1):
            envelope = encode(payload, source=source, time=datetime.combine(day, time(9), UTC), sequence=n)
            topic = topics.prefixed(SOURCE_TOPICS[source], settings.topic_prefix)
            await producer.send_and_wait(topic, envelope.to_json(), key=payload.subject.encode())
    finally:
        await producer.stop()


@asynccontextmanager
async def running_consumer(settings: GovernanceSettings, group: str) -> AsyncIterator[IdempotentConsumer]:
    settings = settings.model_copy(update={"consumer_group": group, "database_pool_size": 2})
    runtime = bootstrap(settings).runtime
    try:
        async with in_background(ACTIVITY_FEED.build(runtime)) as consumer:
            yield consumer
    finally:
        await runtime.close()


async def fetch(settings: GovernanceSettings, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(sync_url(settings.database_url))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()
