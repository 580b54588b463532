"""A second ledger database in one test (for comparing two projections)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from incentive_contracts import topics
from ledger.config import LedgerSettings
from servicekit.db import create_engine
from servicekit.testing.databases import DatabaseFactory
from servicekit.unit_of_work import UnitOfWorkFactory

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@asynccontextmanager
async def second_factory(
    database_factory: DatabaseFactory, settings: LedgerSettings
) -> AsyncIterator[tuple[str, UnitOfWorkFactory]]:
    url = database_factory.create(ALEMBIC_INI, prefix="led2")
    engine = create_engine(url, pool_size=2)
    try:
        yield (
            url,
            UnitOfWorkFactory(engine, source="/ledger", topic=topics.prefixed(topics.LEDGER, settings.topic_prefix)),
        )
    finally:
        await engine.dispose()
