from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from registration.config import RegistrationSettings
from registration.entrypoints.api import create_app
from servicekit.testing.client import app_client
from servicekit.testing.consumers import TEST_CONSUMERS
from servicekit.testing.databases import DatabaseFactory

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


class FixedClock:
    """A clock the test sets; the service never reads the wall clock for business dates in tests."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))


@pytest.fixture
def registration_settings(
    database_factory: DatabaseFactory, kafka_bootstrap: str, topic_prefix: str
) -> RegistrationSettings:
    return RegistrationSettings(
        environment="test",
        database_url=database_factory.create(ALEMBIC_INI, prefix="reg"),
        kafka_bootstrap_servers=kafka_bootstrap,
        **TEST_CONSUMERS,
        topic_prefix=topic_prefix,
    )


@pytest.fixture
async def registration_client(
    registration_settings: RegistrationSettings, clock: FixedClock
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(registration_settings, clock=clock)) as client:
        yield client
