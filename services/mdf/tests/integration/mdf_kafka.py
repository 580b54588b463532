"""Producing to and reading from the test broker, and running workers until a condition holds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from incentive_contracts import topics
from incentive_contracts.payload import EventPayload
from incentive_contracts.registry import encode
from mdf.config import MdfSettings
from servicekit.kafka import ensure_topics
from servicekit.runner import all_topics
from servicekit.testing.waiting import until

__all__ = ["prepare_topics", "publish_ledger_events", "read_mdf_topic", "until"]


async def prepare_topics(settings: MdfSettings) -> None:
    await ensure_topics(settings, all_topics(settings.topic_prefix))


async def publish_ledger_events(settings: MdfSettings, payloads: list[EventPayload | bytes]) -> list[str]:
    """Send events to the ledger topic as the ledger would (raw bytes are sent as they are)."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
    await producer.start()
    ids = []
    try:
        for n, payload in enumerate(payloads, start=1):
            if isinstance(payload, bytes):
                value, key = payload, b"poison"
            else:
                envelope = encode(payload, source="/ledger", time=datetime(2026, 4, 2, 9, tzinfo=UTC), sequence=n)
                value, key = envelope.to_json(), payload.partner_id.encode()
                ids.append(envelope.id)
            await producer.send_and_wait(topics.prefixed(topics.LEDGER, settings.topic_prefix), value, key=key)
    finally:
        await producer.stop()
    return ids


async def read_mdf_topic(settings: MdfSettings, partner_id: str, count: int) -> list[dict[str, Any]]:
    """The first ``count`` events of one partner on the mdf topic, in the order Kafka holds them."""
    consumer = AIOKafkaConsumer(
        topics.prefixed(topics.MDF, settings.topic_prefix),
        bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    found: list[dict[str, Any]] = []
    try:
        while len(found) < count:
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                found += [orjson.loads(r.value) for r in records if r.key == partner_id.encode()]
    finally:
        await consumer.stop()
    return found[:count] if len(found) >= count else found
