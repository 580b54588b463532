from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from registration.config import RegistrationSettings
from registration.entrypoints.api import create_app
from servicekit.testing.client import app_client
from servicekit.testing.databases import DatabaseFactory

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture
def registration_settings(database_factory: DatabaseFactory, kafka_bootstrap: str, topic_prefix: str) -> RegistrationSettings:
    return RegistrationSettings(
        environment="test",
        database_url=database_factory.create(ALEMBIC_INI, prefix="reg"),
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
    )


@pytest.fixture
async def registration_client(registration_settings: RegistrationSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(registration_settings)) as client:
        yield client
