"""A replay in bounded memory writes what the in-memory replay writes: deal states written out as they
go cold and read back when named again equal a plain map of states, row for row; the journal's keys
and indexes built once at the end (in one transaction or on several connections) are the ones the
migrations made, and still refuse a duplicate key."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import asyncpg
import orjson
import pytest
from ledger.adapters.replay_deals import SpillingDeals, deal_row
from ledger.adapters.replay_indexes import defer_indexes, restore_in_parallel, restore_indexes
from ledger.adapters.replay_setup import ALEMBIC_INI
from ledger.application.ports import DealKey
from ledger.domain.state import DealRecord
from servicekit.db import sync_url
from servicekit.testing.databases import DatabaseFactory

TABLES = ["journal_entries", "postings"]


def _state(rng: random.Random, key: DealKey) -> DealRecord:
    return DealRecord(
        deal_id=key[1],
        partner_id=key[0],
        approved_on=rng.choice([None, date(2026, 1, rng.randint(1, 28))]),
        flags=frozenset(rng.sample(["flagged", "disputed", "late"], rng.randint(0, 2))),
        reversed_amount=Decimal(rng.randint(0, 10_000)) / 100,
        held=rng.random() < 0.3,
    )


@pytest.mark.parametrize(("seed", "hot", "chunk"), [(1, 1, 1), (2, 5, 2), (3, 12, 5), (4, 40, 40)])
async def test_deal_states_written_out_and_read_back_equal_a_plain_map(
    database_factory: DatabaseFactory, seed: int, hot: int, chunk: int
) -> None:
    rng = random.Random(seed)
    conn = await asyncpg.connect(sync_url(database_factory.create(ALEMBIC_INI, prefix="spill")))
    keys = [(f"p{p}", f"d{d}") for p in range(4) for d in range(10)]
    plain: dict[DealKey, DealRecord] = {}
    deals = SpillingDeals(conn, hot=hot, chunk=chunk)
    try:
        async with conn.transaction():
            for _ in range(60):  # batches: load what the events name, save what they changed
                named = set(rng.sample(keys, rng.randint(1, 8)))
                assert await deals.load(named) == {k: plain[k] for k in named if k in plain}
                changed = [_state(rng, k) for k in sorted(named) if rng.random() < 0.7]
                plain.update({(d.partner_id, d.deal_id): d for d in changed})
                await deals.save(changed)
            await deals.finish()
            rows = await conn.fetch("SELECT partner_id, deal_id, state::text FROM ledger_deals")
    finally:
        await conn.close()
    assert len(rows) == len(plain)  # one row per deal: a state read back left the table
    assert {(p, d): orjson.loads(s) for p, d, s in rows} == {k: orjson.loads(deal_row(v)[2]) for k, v in plain.items()}
    if hot < 40:
        assert deals.written_out > 0
        assert deals.read_back > 0


async def _catalog(conn: asyncpg.Connection) -> dict[str, list[tuple[object, ...]]]:
    return {
        "indexes": [
            tuple(r)
            for r in await conn.fetch(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY($1::text[]) ORDER BY 1", TABLES
            )
        ],
        "constraints": [
            tuple(r)
            for r in await conn.fetch(
                "SELECT conname, contype::text, pg_get_constraintdef(oid), condeferrable, condeferred, convalidated, "
                "conindid::regclass::text FROM pg_constraint "
                "WHERE conrelid::regclass::text = ANY($1::text[]) ORDER BY 1",
                TABLES,
            )
        ],
        "triggers": [
            tuple(r)
            for r in await conn.fetch(
                "SELECT tgname, tgenabled::text FROM pg_trigger WHERE tgrelid::regclass::text = ANY($1::text[]) "
                "AND NOT tgisinternal ORDER BY 1",
                TABLES,
            )
        ],
    }


JOURNAL_ROW = (
    "INSERT INTO journal_entries (entry_id, partner_id, stream, sequence, kind, caused_by, effective_at, rule_id, "
    "rule_version, explanation, prev_hash, entry_hash) "
    "VALUES ('e-1', 'acme', 'registration', $1, 'rebate', 'ev', now(), 'r', 1, '{}', '', 'h')"
)


async def test_keys_and_indexes_come_back_as_the_migrations_made_them(database_factory: DatabaseFactory) -> None:
    url = sync_url(database_factory.create(ALEMBIC_INI, prefix="restore"))
    conn = await asyncpg.connect(url)
    try:
        migrated = await _catalog(conn)
        async with conn.transaction():
            deferred = await defer_indexes(conn)
        assert (await _catalog(conn))["indexes"] == []
        await restore_in_parallel(url, deferred, 2)
        assert await _catalog(conn) == migrated
        async with conn.transaction():
            await restore_indexes(conn, await defer_indexes(conn))
        assert await _catalog(conn) == migrated

        # A key built at the end still refuses what the migrations' key refuses.
        async with conn.transaction():
            deferred = await defer_indexes(conn)
        await conn.execute(JOURNAL_ROW, 1)
        await conn.execute(JOURNAL_ROW, 2)
        with pytest.raises(asyncpg.UniqueViolationError):
            await restore_in_parallel(url, deferred, 2)
    finally:
        await conn.close()
