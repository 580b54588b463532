"""Migration 0016 drops ``postings_account_time``: postings keep their key and one partner-keyed
index, the upgrade may be run again, the downgrade rebuilds the dropped index, and a partner's
statement lines and balances as of a time are read from ``postings_payable_position`` alone."""

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
SELECT c.relname, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = 'postings'::regclass AND i.indisvalid
"""
ACCOUNT_TIME = (
    "CREATE INDEX postings_account_time ON public.postings USING btree (partner_id, account, currency, effective_at)"
)


async def _indexes(url: str) -> dict[str, str]:
    conn = await asyncpg.connect(url)
    try:
        return {r["relname"]: r["definition"] for r in await conn.fetch(INDEXES)}
    finally:
        await conn.close()


async def test_postings_lose_the_account_time_index_and_get_it_back_on_downgrade(
    database_factory: DatabaseFactory,
) -> None:
    database_url = database_factory.empty("postings_indexes")
    url = sync_url(database_url)
    config = alembic_config(ALEMBIC_INI, database_url)
    await asyncio.to_thread(command.upgrade, config, "0015")
    before = await _indexes(url)
    assert before["postings_account_time"] == ACCOUNT_TIME

    await asyncio.to_thread(command.upgrade, config, "0016")
    after = await _indexes(url)
    assert sorted(after) == ["postings_payable_position", "postings_pkey"]
    assert after == {name: d for name, d in before.items() if name != "postings_account_time"}

    await asyncio.to_thread(command.downgrade, config, "0015")
    assert await _indexes(url) == before
    await asyncio.to_thread(command.upgrade, config, "0016")
    assert await _indexes(url) == after


# A partner's reads by time, with the columns and conditions the application's queries give them
# (adapters/queries.py: partner_balances as of a time, opening_balances, statement_lines).
READS = {
    "balances as of": "SELECT account, currency, sum(amount) FROM postings WHERE partner_id = $1 "
    "AND account LIKE $2 AND effective_at <= $3 GROUP BY account, currency",
    "statement lines": "SELECT entry_id, line, account, currency, amount, effective_at FROM postings "
    "WHERE partner_id = $1 AND account LIKE $2 AND effective_at >= $3 AND effective_at < $4",
}


@pytest.mark.parametrize("read", sorted(READS))
async def test_a_partners_reads_by_time_use_the_payable_position_index_alone(
    database_factory: DatabaseFactory, read: str
) -> None:
    database_url = database_factory.empty("postings_reads")
    await asyncio.to_thread(command.upgrade, alembic_config(ALEMBIC_INI, database_url), "head")
    conn = await asyncpg.connect(sync_url(database_url))
    try:
        # A generic plan, as a prepared statement gets; the table is empty, so scans are ruled out by hand.
        await conn.execute(
            "SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off; SET enable_bitmapscan = off"
        )
        await conn.execute(f"PREPARE read AS {READS[read]}")
        arguments = ", ".join(["'p1'", "'partner:p1:%'", *["now()"] * (READS[read].count("$") - 2)])
        plan = "\n".join(r[0] for r in await conn.fetch(f"EXPLAIN EXECUTE read({arguments})"))
    finally:
        await conn.close()
    assert "Index Only Scan using postings_payable_position on postings" in plan, plan
