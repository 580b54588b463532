"""Migration 0017: every text column of the ledger compares by bytes (``COLLATE "C"``), its indexes
with it; the view and the trigger it had to drop come back exactly as they were; the downgrade gives
the columns the database's default back, and the upgrade may be run again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
from alembic import command
from servicekit.db import sync_url
from servicekit.migrations import alembic_config
from servicekit.testing.databases import DatabaseFactory

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
COLLATIONS = """
SELECT c.relname || '.' || a.attname AS column_name, a.attcollation::regcollation::text AS collation
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname <> 'alembic_version'
  AND a.atttypid = 'text'::regtype AND a.attnum > 0 AND NOT a.attisdropped
"""
INDEX_COLLATIONS = """
SELECT DISTINCT coll::regcollation::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid,
     unnest(i.indcollation::oid[]) AS coll
WHERE c.relname IN ('journal_entries', 'postings') AND coll <> 0
"""
DEFINITIONS = """
SELECT 'view ' || c.relname, pg_get_viewdef(c.oid) FROM pg_class c
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'v'
UNION ALL
SELECT 'trigger ' || t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE NOT t.tgisinternal
UNION ALL
SELECT 'index ' || c.relname, pg_get_indexdef(c.oid) FROM pg_class c
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'i'
"""


async def _read(url: str) -> tuple[dict[str, str], set[str], dict[str, str]]:
    conn = await asyncpg.connect(url)
    try:
        collations = {r["column_name"]: r["collation"] for r in await conn.fetch(COLLATIONS)}
        indexes = {r[0] for r in await conn.fetch(INDEX_COLLATIONS)}
        definitions = {r[0]: r[1] for r in await conn.fetch(DEFINITIONS)}
        return collations, indexes, definitions
    finally:
        await conn.close()


async def test_every_text_column_compares_by_bytes_and_the_downgrade_gives_the_default_back(
    database_factory: DatabaseFactory,
) -> None:
    database_url = database_factory.empty("text_collation")
    url = sync_url(database_url)
    config = alembic_config(ALEMBIC_INI, database_url)
    await asyncio.to_thread(command.upgrade, config, "0016")
    before, before_indexes, before_definitions = await _read(url)
    assert {"journal_entries.entry_id", "postings.account", "payout_lines.partner_id"} <= set(before)
    assert set(before.values()) == {'"default"'}
    assert before_indexes == {'"default"'}

    await asyncio.to_thread(command.upgrade, config, "0017")
    after, after_indexes, after_definitions = await _read(url)
    assert after == dict.fromkeys(before, '"C"')
    assert after_indexes == {'"C"'}
    # The view and the trigger dropped around the change, every index rebuilt: all as they were.
    assert {"view payout_coverage", "trigger postings_position"} <= set(after_definitions)
    assert after_definitions == before_definitions

    await asyncio.to_thread(command.downgrade, config, "0016")
    assert await _read(url) == (before, before_indexes, before_definitions)
    await asyncio.to_thread(command.upgrade, config, "0017")
    assert await _read(url) == (after, after_indexes, after_definitions)
