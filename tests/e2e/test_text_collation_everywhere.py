"""Every service's text columns compare by bytes (``COLLATE "C"``: ledger 0017, registration 0010,
mdf 0008, insights 0008, governance 0006), and their indexes with them; the views and triggers the
change had to drop come back exactly as they were; the downgrade gives every column the database's
default back, and the upgrade may be run again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from servicekit.db import sync_url
from servicekit.migrations import alembic_config
from servicekit.testing.databases import DatabaseFactory

SERVICES = Path(__file__).resolve().parents[2] / "services"
REVISIONS = {"ledger": "0017", "registration": "0010", "mdf": "0008", "insights": "0008", "governance": "0006"}
COLLATIONS = """
SELECT c.relname || '.' || a.attname AS column_name, a.attcollation::regcollation::text AS collation
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
  AND a.atttypid = 'text'::regtype AND a.attnum > 0 AND NOT a.attisdropped
"""
INDEX_COLLATIONS = """
SELECT DISTINCT coll::regcollation::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid,
     unnest(i.indcollation::oid[]) AS coll
WHERE c.relnamespace = current_schema()::regnamespace AND c.relname <> 'alembic_version' AND coll <> 0
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
Catalogue = tuple[dict[str, str], set[str], dict[str, str]]


async def _read(url: str) -> Catalogue:
    conn = await asyncpg.connect(url)
    try:
        collations = {r["column_name"]: r["collation"] for r in await conn.fetch(COLLATIONS)}
        indexes = {r[0] for r in await conn.fetch(INDEX_COLLATIONS)}
        definitions = {r[0]: r[1] for r in await conn.fetch(DEFINITIONS)}
        return collations, indexes, definitions
    finally:
        await conn.close()


@pytest.mark.parametrize("service", sorted(REVISIONS))
async def test_every_text_column_compares_by_bytes_and_the_downgrade_gives_the_default_back(
    database_factory: DatabaseFactory, service: str
) -> None:
    database_url = database_factory.empty(f"collation_{service}")
    url = sync_url(database_url)
    config = alembic_config(SERVICES / service / "alembic.ini", database_url)
    await asyncio.to_thread(command.upgrade, config, "head")
    after, after_indexes, after_definitions = await _read(url)
    assert {"idempotency_keys.key", "dead_letters.topic"} <= set(after)  # servicekit's tables too
    assert set(after.values()) == {'"C"'}
    assert after_indexes == {'"C"'}
    if service == "ledger":  # dropped around the change: a view, and a trigger whose condition names a column
        assert {"view payout_coverage", "trigger postings_position"} <= set(after_definitions)

    revision = REVISIONS[service]
    await asyncio.to_thread(command.downgrade, config, f"{revision}-1")
    before, before_indexes, before_definitions = await _read(url)
    assert before == dict.fromkeys(after, '"default"')
    assert before_indexes == {'"default"'}
    assert before_definitions == after_definitions  # every view, trigger and index as it was

    await asyncio.to_thread(command.upgrade, config, revision)
    assert await _read(url) == (after, after_indexes, after_definitions)
