from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from insights.config import InsightsSettings
from insights.entrypoints.api import create_app
from servicekit.testing.client import app_client
from servicekit.testing.clock import SettableClock
from servicekit.testing.databases import DatabaseFactory

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture
def insights_settings(database_factory: DatabaseFactory, topic_prefix: str) -> InsightsSettings:
    return InsightsSettings(
        environment="test",
        database_url=database_factory.create(ALEMBIC_INI, prefix="ins"),
        topic_prefix=topic_prefix,
        topic_partitions=3,
    )


@pytest.fixture
def clock() -> SettableClock:
    """The default series window ends on its day."""
    return SettableClock(date(2026, 6, 30))


@pytest.fixture
async def insights_client(
    insights_settings: InsightsSettings, clock: SettableClock
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(insights_settings, clock=clock)) as client:
        yield client
