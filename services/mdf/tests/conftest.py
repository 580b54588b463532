from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from mdf.config import MdfSettings
from mdf.entrypoints.api import create_app
from servicekit.testing.client import app_client
from servicekit.testing.clock import SettableClock
from servicekit.testing.consumers import TEST_CONSUMERS
from servicekit.testing.databases import DatabaseFactory

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture
def mdf_settings(database_factory: DatabaseFactory, topic_prefix: str) -> MdfSettings:
    return MdfSettings(
        environment="test",
        database_url=database_factory.create(ALEMBIC_INI, prefix="mdf"),
        topic_prefix=topic_prefix,
        topic_partitions=3,
    )


@pytest.fixture
def kafka_settings(mdf_settings: MdfSettings, kafka_bootstrap: str) -> MdfSettings:
    """The same database, plus the session's real Kafka-protocol broker (consumers as the tests run
    them: the group forms and events arrive quickly; correctness never depends on it)."""
    return mdf_settings.model_copy(update={"kafka_bootstrap_servers": kafka_bootstrap, **TEST_CONSUMERS})


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(date(2026, 4, 1))


@pytest.fixture
async def mdf_client(mdf_settings: MdfSettings, clock: SettableClock) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(mdf_settings, clock=clock)) as client:
        yield client
