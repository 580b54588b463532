from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from incentive_contracts import topics
from ledger.bootstrap import LedgerContainer, running
from ledger.config import LedgerSettings
from ledger.entrypoints.api import create_app
from servicekit.db import create_engine
from servicekit.testing.client import app_client
from servicekit.testing.databases import DatabaseFactory
from servicekit.unit_of_work import UnitOfWorkFactory

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture
def ledger_settings(database_factory: DatabaseFactory, topic_prefix: str) -> LedgerSettings:
    return LedgerSettings(
        environment="test", database_url=database_factory.create(ALEMBIC_INI, prefix="led"), topic_prefix=topic_prefix
    )


@pytest.fixture
async def ledger_client(ledger_settings: LedgerSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(ledger_settings)) as client:
        yield client


@pytest.fixture
async def ledger_container(ledger_settings: LedgerSettings) -> AsyncIterator[LedgerContainer]:
    """The ledger's composition root for a command or worker under test (its pool closed afterwards)."""
    async with running(ledger_settings) as container:
        yield container


@pytest.fixture
async def uow_factory(ledger_settings: LedgerSettings) -> AsyncIterator[UnitOfWorkFactory]:
    engine = create_engine(ledger_settings.database_url, pool_size=2)
    try:
        yield UnitOfWorkFactory(
            engine, source="/ledger", topic=topics.prefixed(topics.LEDGER, ledger_settings.topic_prefix)
        )
    finally:
        await engine.dispose()
