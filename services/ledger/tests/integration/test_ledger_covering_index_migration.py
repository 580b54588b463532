"""Migration 0012 builds the covering payout index concurrently, outside a transaction; an upgrade
interrupted at any of its steps is finished by running it again, and the downgrade restores the
plain index."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from servicekit.db import sync_url
from servicekit.migrations import alembic_config
from servicekit.testing.databases import DatabaseFactory

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
INDEXES = """
SELECT c.relname, i.indisvalid, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = 'postings'::regclass AND c.relname LIKE 'postings_payable_position%'
ORDER BY 1
"""
BUILDING = "postings_payable_position_building"
KEY = "(partner_id, account, currency, stream, sequence)"
# The states an interrupted upgrade can leave behind (the old index is the plain one of 0011).
INTERRUPTED = {
    "build failed": f"CREATE INDEX {BUILDING} ON postings (partner_id) WHERE false",  # stands for an invalid build
    "built": f"CREATE INDEX {BUILDING} ON postings {KEY} INCLUDE (entry_id, amount, effective_at)",
    "old dropped": (
        f"CREATE INDEX {BUILDING} ON postings {KEY} INCLUDE (entry_id, amount, effective_at);"
        " DROP INDEX postings_payable_position"
    ),
}


async def _indexes(url: str) -> list[tuple[str, bool, str]]:
    conn = await asyncpg.connect(url)
    try:
        return [(r["relname"], r["indisvalid"], r["definition"]) for r in await conn.fetch(INDEXES)]
    finally:
        await conn.close()


async def _execute(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _covering(indexes: list[tuple[str, bool, str]]) -> bool:
    [(name, valid, definition)] = indexes
    return name == "postings_payable_position" and valid and "INCLUDE (entry_id, amount, effective_at)" in definition


@pytest.mark.parametrize("state", sorted(INTERRUPTED))
async def test_an_interrupted_0012_is_finished_by_running_it_again(
    database_factory: DatabaseFactory, state: str
) -> None:
    database_url = database_factory.empty("cover")
    url = sync_url(database_url)
    config = alembic_config(ALEMBIC_INI, database_url)
    await asyncio.to_thread(command.upgrade, config, "0011")
    before = await _indexes(url)
    assert [name for name, _, _ in before] == ["postings_payable_position"]
    assert not _covering(before)

    await _execute(url, INTERRUPTED[state])
    await asyncio.to_thread(command.upgrade, config, "0012")
    assert _covering(await _indexes(url))

    await asyncio.to_thread(command.downgrade, config, "0011")
    assert await _indexes(url) == before
