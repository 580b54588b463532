"""The database itself refuses a journal entry that does not balance (the deferred constraint
trigger ``postings_balanced``): whatever writes the postings (row inserts, the projector's COPY
batches, the replay's bulk paths), the transaction fails at COMMIT, and nothing of it is kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import pytest
from ledger.adapters.replay_indexes import defer_indexes, restore_indexes
from ledger.adapters.store import POSTING_COLUMNS
from ledger.config import LedgerSettings
from servicekit.db import sync_url

WHEN = datetime(2026, 3, 1, tzinfo=UTC)
ENTRY_COLUMNS = ["entry_id", "partner_id", "sequence", "kind", "caused_by", "effective_at", "rule_id", "rule_version"]
ENTRY_COLUMNS += ["explanation", "prev_hash", "entry_hash"]


def entry(entry_id: str, sequence: int) -> tuple[object, ...]:
    return (entry_id, "p-1", sequence, "accrual", f"evt-{entry_id}", WHEN, "rule", 1, "{}", "0" * 64, entry_id)


def params(n: int) -> str:
    return ", ".join(f"${i}" for i in range(1, n + 1))


def postings(entry_id: str, *amounts: tuple[str, str]) -> list[tuple[object, ...]]:
    return [
        (entry_id, line, "p-1", f"account-{line}", currency, Decimal(amount), WHEN)
        for line, (currency, amount) in enumerate(amounts)
    ]


@pytest.fixture
async def db(ledger_settings: LedgerSettings) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(sync_url(ledger_settings.database_url))
    try:
        yield conn
    finally:
        await conn.close()


async def write(db: asyncpg.Connection, entries: list[tuple[object, ...]], rows: list[tuple[object, ...]]) -> None:
    """Entries and postings by COPY in one transaction, as the projector's batch writer does."""
    async with db.transaction():
        await db.copy_records_to_table("journal_entries", columns=ENTRY_COLUMNS, records=entries)
        await db.copy_records_to_table("postings", columns=POSTING_COLUMNS, records=rows)


async def stored(db: asyncpg.Connection) -> tuple[int, int]:
    return (
        await db.fetchval("SELECT count(*) FROM journal_entries"),
        await db.fetchval("SELECT count(*) FROM postings"),
    )


async def test_an_unbalanced_entry_inserted_directly_fails_at_commit(db: asyncpg.Connection) -> None:
    tx = db.transaction()
    await tx.start()
    await db.execute(
        f"INSERT INTO journal_entries ({', '.join(ENTRY_COLUMNS)}) VALUES ({params(11)})", *entry("e-1", 1)
    )
    for row in postings("e-1", ("USD", "100.00"), ("USD", "-99.99")):
        await db.execute(f"INSERT INTO postings ({', '.join(POSTING_COLUMNS)}) VALUES ({params(7)})", *row)
    # Every statement passed: the check waits for the transaction to be complete.
    with pytest.raises(
        asyncpg.CheckViolationError, match=r"journal entry e-1 does not balance: its USD postings sum to 0\.01"
    ):
        await tx.commit()
    assert await stored(db) == (0, 0)


async def test_balanced_copy_batches_commit_and_one_unbalanced_entry_fails_the_whole_batch(
    db: asyncpg.Connection,
) -> None:
    entries = [entry(f"b-{n}", n) for n in range(1, 51)]
    rows = [
        r
        for n in range(1, 51)
        for r in postings(f"b-{n}", ("USD", "10.00"), ("EUR", "-3.50"), ("USD", "-10.00"), ("EUR", "3.50"))
    ]
    await write(db, entries, rows)
    assert await stored(db) == (50, 200)

    more = [entry(f"c-{n}", 100 + n) for n in range(1, 11)]
    rows = [r for n in range(1, 11) for r in postings(f"c-{n}", ("USD", "5"), ("USD", "-5"))]
    rows += postings("c-11", ("USD", "5"), ("EUR", "-5"))  # balanced in no currency
    with pytest.raises(asyncpg.CheckViolationError, match="journal entry c-11 does not balance"):
        await write(db, [*more, entry("c-11", 111)], rows)
    assert await stored(db) == (50, 200)


async def test_a_posting_added_later_to_a_committed_entry_is_refused(db: asyncpg.Connection) -> None:
    await write(db, [entry("d-1", 1)], postings("d-1", ("USD", "1"), ("USD", "-1")))
    late = [("d-1", 2, "p-1", "account-2", "USD", Decimal("0.01"), WHEN)]
    with pytest.raises(asyncpg.CheckViolationError, match="journal entry d-1 does not balance"):
        await db.copy_records_to_table("postings", columns=POSTING_COLUMNS, records=late)
    # Two postings that balance each other keep the entry balanced.
    late.append(("d-1", 3, "p-1", "account-3", "USD", Decimal("-0.01"), WHEN))
    await db.copy_records_to_table("postings", columns=POSTING_COLUMNS, records=late)
    assert await stored(db) == (1, 4)


async def test_a_bulk_load_checks_every_entry_once_when_its_indexes_come_back(db: asyncpg.Connection) -> None:
    # The replay's bulk path: indexes, keys and the per-posting check off while it loads, one pass at the end.
    restore = await defer_indexes(db)
    assert await db.fetchval("SELECT tgenabled FROM pg_trigger WHERE tgname = 'postings_balanced'") == b"D"
    async with db.transaction():
        await write(db, [entry("r-1", 1)], postings("r-1", ("USD", "2"), ("USD", "-2")))
        await write(db, [entry("r-2", 2)], postings("r-2", ("EUR", "2"), ("EUR", "-1")))
    with pytest.raises(
        asyncpg.CheckViolationError, match="journal entry r-2 does not balance: its EUR postings sum to 1"
    ):
        async with db.transaction():
            await restore_indexes(db, restore)
    async with db.transaction():
        await db.execute("ALTER TABLE postings DISABLE TRIGGER USER")  # immutability: set the test's rows right
        await db.execute("DELETE FROM postings WHERE entry_id = 'r-2'")
        await db.execute("ALTER TABLE postings ENABLE TRIGGER USER")
        await restore_indexes(db, restore)
    assert await db.fetchval("SELECT tgenabled FROM pg_trigger WHERE tgname = 'postings_balanced'") == b"O"
