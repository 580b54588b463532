"""Feeding the insights read models straight from the other services' outboxes (no broker): what the
insights consumer would apply, for tests that need insights to know the data the others hold."""

from __future__ import annotations

import asyncpg
from incentive_contracts.envelope import CloudEvent
from incentive_contracts.registry import decode
from insights.config import InsightsSettings
from insights.entrypoints.consumer import READ_MODELS, ReadModelHandler
from servicekit.consumer import Inbound
from servicekit.db import sync_url
from servicekit.settings import ServiceSettings


async def outbox_events(settings: ServiceSettings) -> list[Inbound]:
    conn = await asyncpg.connect(sync_url(settings.database_url))
    try:
        rows = await conn.fetch("SELECT topic, payload FROM outbox WHERE sequence IS NOT NULL ORDER BY id")
    finally:
        await conn.close()
    events = []
    for n, row in enumerate(rows):
        envelope = CloudEvent.from_json(row["payload"])
        events.append(Inbound(envelope, decode(envelope), row["topic"], 0, n, row["payload"]))
    return events


async def insights_learns(insights: InsightsSettings, *producers: ServiceSettings) -> int:
    """Apply every event the producers' outboxes hold, producer by producer; returns how many."""
    events = [e for settings in producers for e in await outbox_events(settings)]
    factory = READ_MODELS.uow_factory(insights, pool_size=1)
    try:
        async with factory() as uow:
            assert await ReadModelHandler().handle(uow, events) == []
            await uow.commit()
    finally:
        await factory.engine.dispose()
    return len(events)
