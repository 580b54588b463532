"""Feeding events to the insights projection without a broker: the consumer's own handler on a unit of
work, through the inbox as the consumer does it (integration tests of the read models and the API)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from incentive_contracts import topics
from incentive_contracts.payload import EventPayload
from incentive_contracts.producers import source_for
from incentive_contracts.registry import encode
from insights.config import InsightsSettings
from insights.entrypoints.consumer import READ_MODELS, ReadModelHandler
from servicekit.consumer import Inbound

NOON = datetime(2026, 1, 1, 12, tzinfo=UTC)


def inbound(payloads: Sequence[EventPayload], offset: int = 0) -> list[Inbound]:
    events = []
    for n, payload in enumerate(payloads):
        source = source_for(payload.event_type)
        envelope = encode(payload, source=source, time=NOON, sequence=offset + n + 1)
        topic = topics.topic_for_source(source)
        events.append(Inbound(envelope, payload, topic, 0, offset + n, envelope.to_json()))
    return events


async def feed(settings: InsightsSettings, payloads: Sequence[EventPayload]) -> int:
    """Apply ``payloads`` in order in one unit of work; returns how many were rejected or parked."""
    factory = READ_MODELS.uow_factory(settings, pool_size=1)
    try:
        async with factory() as uow:
            rejected = await ReadModelHandler().handle(uow, inbound(payloads))
            await uow.commit()
    finally:
        await factory.engine.dispose()
    return len(rejected)
