"""The test plugin's databases: each test's copies are dropped when it ends, the templates stay, and a
copy made afterwards from the same template is as migrated as the first one."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
from servicekit.testing.databases import DatabaseFactory, with_database

# Any service's migrations will do: servicekit's own tests only read the template's tables.
ALEMBIC_INI = Path(__file__).resolve().parents[3] / "mdf" / "alembic.ini"
pytestmark = pytest.mark.xdist_group("test-databases")  # the second test reads what the first left
LEFT_BEHIND: list[str] = []


async def _databases(factory: DatabaseFactory) -> set[str]:
    conn = await asyncpg.connect(with_database(factory.server_url, "postgres"))
    try:
        return {row["datname"] for row in await conn.fetch("SELECT datname FROM pg_database")}
    finally:
        await conn.close()


async def _tables(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row["tablename"] for row in rows}
    finally:
        await conn.close()


def _name(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?")[0]


async def test_a_tests_copies_are_dropped_and_the_template_stays(database_factory: DatabaseFactory) -> None:
    first = database_factory.create(ALEMBIC_INI, prefix="drop")
    empty = database_factory.empty(prefix="drop")
    template = database_factory.template(ALEMBIC_INI)
    migrated = await _tables(first)
    assert "alembic_version" in migrated
    assert {_name(first), _name(empty), template} <= await _databases(database_factory)

    database_factory.drop_test_databases()

    left = await _databases(database_factory)
    assert _name(first) not in left
    assert _name(empty) not in left
    assert template in left
    again = database_factory.create(ALEMBIC_INI, prefix="drop")
    assert await _tables(again) == migrated
    LEFT_BEHIND.append(_name(again))  # dropped by the plugin when this test ends


async def test_the_plugin_dropped_the_previous_tests_databases(database_factory: DatabaseFactory) -> None:
    assert LEFT_BEHIND, "runs after the test above, in the same worker"
    left = await _databases(database_factory)
    assert not set(LEFT_BEHIND) & left
    assert database_factory.template(ALEMBIC_INI) in left
