"""Migration 0014 makes the journal's deal and reversal indexes partial (the rows with a value): an
upgrade interrupted at any step is finished by running it again, the downgrade restores the full
indexes, and the queries that look entries up by deal or by reversed entry still use the indexes,
prepared with parameters as the application sends them."""

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
WHERE i.indrelid = 'journal_entries'::regclass AND (c.relname LIKE 'journal_entries_deal%'
      OR c.relname LIKE 'journal_entries_reverses%')
ORDER BY 1
"""
FULL = {
    name: f"CREATE INDEX {name} ON public.journal_entries USING btree ({key})"
    for name, key in (("journal_entries_deal", "partner_id, deal_id"), ("journal_entries_reverses", "reverses"))
}
PARTIAL = {
    "journal_entries_deal": FULL["journal_entries_deal"] + " WHERE (deal_id IS NOT NULL)",
    "journal_entries_reverses": FULL["journal_entries_reverses"] + " WHERE (reverses IS NOT NULL)",
}
# What an upgrade interrupted in each state leaves behind (the first index's rebuild).
INTERRUPTED = {
    "build failed": "CREATE INDEX journal_entries_deal_building ON journal_entries (partner_id) WHERE false",
    "built": "CREATE INDEX journal_entries_deal_building ON journal_entries (partner_id, deal_id) "
    "WHERE deal_id IS NOT NULL",
    "old dropped": "CREATE INDEX journal_entries_deal_building ON journal_entries (partner_id, deal_id) "
    "WHERE deal_id IS NOT NULL; DROP INDEX journal_entries_deal",
}


async def _indexes(url: str) -> dict[str, str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(INDEXES)
    finally:
        await conn.close()
    assert all(r["indisvalid"] for r in rows)
    return {r["relname"]: r["definition"] for r in rows}


@pytest.mark.parametrize("state", ["none", *INTERRUPTED])
async def test_the_deal_and_reversal_indexes_become_partial_and_come_back_whole(
    database_factory: DatabaseFactory, state: str
) -> None:
    database_url = database_factory.empty("partial")
    url = sync_url(database_url)
    config = alembic_config(ALEMBIC_INI, database_url)
    await asyncio.to_thread(command.upgrade, config, "0013")
    assert await _indexes(url) == FULL

    if state != "none":
        await execute_sql(url, INTERRUPTED[state])
    await asyncio.to_thread(command.upgrade, config, "0014")
    assert await _indexes(url) == PARTIAL

    await asyncio.to_thread(command.downgrade, config, "0013")
    assert await _indexes(url) == FULL


# The two lookups the indexes serve, as the application's queries make them (adapters/queries.py).
LOOKUPS = {
    "journal_entries_deal": "SELECT entry_id FROM journal_entries WHERE partner_id = $1 AND deal_id = $2",
    "journal_entries_reverses": "SELECT entry_id FROM journal_entries WHERE reverses = $1 ORDER BY posted_seq",
}


@pytest.mark.parametrize("index", sorted(LOOKUPS))
async def test_a_prepared_lookup_by_value_uses_the_partial_index(database_factory: DatabaseFactory, index: str) -> None:
    database_url = database_factory.empty("partial_plan")
    await asyncio.to_thread(command.upgrade, alembic_config(ALEMBIC_INI, database_url), "0014")
    conn = await asyncpg.connect(sync_url(database_url))
    try:
        # A generic plan (what a prepared statement gets after a few runs) must prove the index's
        # condition from the parameter alone; the table is empty, so scans are ruled out by hand.
        await conn.execute("SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off")
        params = ", ".join("'x'" for _ in range(LOOKUPS[index].count("$")))
        await conn.execute(f"PREPARE lookup AS {LOOKUPS[index]}")
        plan = "\n".join(r[0] for r in await conn.fetch(f"EXPLAIN EXECUTE lookup({params})"))
    finally:
        await conn.close()
    assert f"Index Scan using {index} " in plan or f"Bitmap Index Scan on {index}" in plan, plan
