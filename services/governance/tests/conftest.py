from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from governance.config import GovernanceSettings
from governance.entrypoints.api import create_app
from servicekit.testing.client import app_client
from servicekit.testing.clock import SettableClock
from servicekit.testing.consumers import TEST_CONSUMERS
from servicekit.testing.databases import DatabaseFactory

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture
def governance_settings(database_factory: DatabaseFactory, topic_prefix: str) -> GovernanceSettings:
    return GovernanceSettings(
        environment="test",
        database_url=database_factory.create(ALEMBIC_INI, prefix="gov"),
        topic_prefix=topic_prefix,
        topic_partitions=3,
    )


@pytest.fixture
def kafka_settings(governance_settings: GovernanceSettings, kafka_bootstrap: str) -> GovernanceSettings:
    """The same database, plus the session's real Kafka-protocol broker."""
    return governance_settings.model_copy(update={"kafka_bootstrap_servers": kafka_bootstrap, **TEST_CONSUMERS})


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(date(2026, 4, 1))


@pytest.fixture
async def governance_client(
    governance_settings: GovernanceSettings, clock: SettableClock
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(governance_settings, clock=clock)) as client:
        yield client
