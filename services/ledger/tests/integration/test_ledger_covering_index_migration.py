"""Migrations 0012 and 0013 rebuild the covering payout index concurrently, outside a transaction
(0012: with each posting's entry id, amount and time; 0013: and its line); an upgrade interrupted at
any of its steps is finished by running it again, and the downgrade restores the index before it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from servicekit.db import sync_url
from servicekit.migrations import alembic_config
from servicekit.testing.databases import DatabaseFactory, execute_sql

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
INDEXES = """
SELECT c.relname, i.indisvalid, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = 'postings'::regclass AND c.relname LIKE 'postings_payable_position%'
ORDER BY 1
"""
BUILDING = "postings_payable_position_building"
KEY = "(partner_id, account, currency, stream, sequence)"
# What each migration's index holds, and the revision before it.
HOLDS = {"0012": "INCLUDE (entry_id, amount, effective_at)", "0013": "INCLUDE (entry_id, amount, effective_at, line)"}
BEFORE = {"0012": "0011", "0013": "0012"}


def interrupted(revision: str, state: str) -> str:
    """The SQL that leaves what an upgrade to ``revision`` interrupted in ``state`` leaves behind."""
    built = f"CREATE INDEX {BUILDING} ON postings {KEY} {HOLDS[revision]}"
    return {
        "build failed": f"CREATE INDEX {BUILDING} ON postings (partner_id) WHERE false",  # stands for an invalid build
        "built": built,
        "old dropped": f"{built}; DROP INDEX postings_payable_position",
    }[state]


async def _indexes(url: str) -> list[tuple[str, bool, str]]:
    conn = await asyncpg.connect(url)
    try:
        return [(r["relname"], r["indisvalid"], r["definition"]) for r in await conn.fetch(INDEXES)]
    finally:
        await conn.close()


def _holding(indexes: list[tuple[str, bool, str]], revision: str) -> bool:
    [(name, valid, definition)] = indexes
    return name == "postings_payable_position" and valid and definition.endswith(f"{KEY} {HOLDS[revision]}")


@pytest.mark.parametrize("state", ["build failed", "built", "old dropped"])
@pytest.mark.parametrize("revision", sorted(HOLDS))
async def test_an_interrupted_index_rebuild_is_finished_by_running_it_again(
    database_factory: DatabaseFactory, revision: str, state: str
) -> None:
    database_url = database_factory.empty("cover")
    url = sync_url(database_url)
    config = alembic_config(ALEMBIC_INI, database_url)
    await asyncio.to_thread(command.upgrade, config, BEFORE[revision])
    before = await _indexes(url)
    assert [name for name, _, _ in before] == ["postings_payable_position"]
    assert not _holding(before, revision)

    await execute_sql(url, interrupted(revision, state))
    await asyncio.to_thread(command.upgrade, config, revision)
    assert _holding(await _indexes(url), revision)

    await asyncio.to_thread(command.downgrade, config, BEFORE[revision])
    assert await _indexes(url) == before
