from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from servicekit.kafka import ensure_topics
from servicekit.testing.databases import DatabaseFactory
from servicekit_toy import Kit, toy_kit


@pytest.fixture
async def kit(database_factory: DatabaseFactory, kafka_bootstrap: str, topic_prefix: str) -> AsyncIterator[Kit]:
    """A toy service's database (runtime tables included) and a toy topic of its own (two partitions)."""
    async with toy_kit(database_factory, kafka_bootstrap, f"{topic_prefix}toy.deals") as toy:
        await ensure_topics(toy.settings, [toy.topic])
        yield toy
