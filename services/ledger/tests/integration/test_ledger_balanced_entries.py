"""The database itself refuses a journal entry that does not balance (``postings_balanced``, migration
0015: each statement's postings summed per entry, an entry they leave unbalanced checked again at
commit): whatever writes the postings (row inserts, the projector's COPY batches, the replay's bulk
load without the journal's indexes), the transaction fails at COMMIT, and nothing of it is kept."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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


INSERT_ENTRY = f"INSERT INTO journal_entries ({', '.join(ENTRY_COLUMNS)}) VALUES ({params(11)})"
INSERT_POSTING = f"INSERT INTO postings ({', '.join(POSTING_COLUMNS)}) VALUES ({params(7)})"


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


async def trigger_state(db: asyncpg.Connection) -> bytes | None:
    state: bytes | None = await db.fetchval("SELECT tgenabled FROM pg_trigger WHERE tgname = 'postings_balanced'")
    return state


async def queued(db: asyncpg.Connection) -> int:
    return int(await db.fetchval("SELECT count(*) FROM journal_balance_checks"))


async def stored(db: asyncpg.Connection) -> tuple[int, int]:
    return (
        await db.fetchval("SELECT count(*) FROM journal_entries"),
        await db.fetchval("SELECT count(*) FROM postings"),
    )


async def test_an_unbalanced_entry_inserted_directly_fails_at_commit(db: asyncpg.Connection) -> None:
    tx = db.transaction()
    await tx.start()
    await db.execute(INSERT_ENTRY, *entry("e-1", 1))
    for row in postings("e-1", ("USD", "100.00"), ("USD", "-99.99")):
        await db.execute(INSERT_POSTING, *row)
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
    assert await queued(db) == 0  # whole entries per statement: nothing left for the commit to check

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


async def test_a_bulk_load_checks_each_entry_as_it_is_written_without_the_indexes(db: asyncpg.Connection) -> None:
    # The replay's bulk path: keys and indexes off while it loads; the balance check stays on, each
    # COPY's postings summed per entry, so nothing is left to check when the indexes come back.
    restore = await defer_indexes(db)
    assert await db.fetchval("SELECT count(*) FROM pg_indexes WHERE tablename = 'postings'") == 0
    assert await trigger_state(db) == b"O"
    async with db.transaction():
        await write(db, [entry("r-1", 1)], postings("r-1", ("USD", "2"), ("USD", "-2")))
        assert await queued(db) == 0
    with pytest.raises(
        asyncpg.CheckViolationError, match="journal entry r-2 does not balance: its EUR postings sum to 1"
    ):
        await write(db, [entry("r-2", 2)], postings("r-2", ("EUR", "2"), ("EUR", "-1")))
    async with db.transaction():
        await restore_indexes(db, restore)
    assert await stored(db) == (1, 2)
    assert await trigger_state(db) == b"O"


async def test_a_balanced_entry_written_a_posting_at_a_time_commits_and_leaves_no_check_behind(
    db: asyncpg.Connection,
) -> None:
    async with db.transaction():
        await db.execute(INSERT_ENTRY, *entry("f-1", 1))
        for row in postings("f-1", ("USD", "7.25"), ("EUR", "1"), ("USD", "-7.25"), ("EUR", "-1")):
            await db.execute(INSERT_POSTING, *row)
        assert await queued(db) == 4  # each statement left f-1 unbalanced: checked again at commit
    assert await stored(db) == (1, 4)
    assert await queued(db) == 0


# The plain definition the trigger must agree with: a transaction commits exactly when, at its end,
# every entry's postings sum to zero in each currency (0008's deferred check per posting said so).
STATEMENT = st.lists(
    st.tuples(st.integers(0, 2), st.sampled_from(["USD", "EUR"]), st.integers(-2, 2)), min_size=1, max_size=4
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    earlier=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["USD", "EUR"]), st.integers(1, 3)), max_size=3),
    statements=st.lists(st.tuples(STATEMENT, st.booleans()), min_size=1, max_size=4),
)
def test_a_transaction_commits_exactly_when_every_entry_balances_at_its_end(
    ledger_settings: LedgerSettings,
    earlier: list[tuple[int, str, int]],
    statements: list[tuple[list[tuple[int, str, int]], bool]],
) -> None:
    asyncio.run(_commits_exactly_when_balanced(sync_url(ledger_settings.database_url), earlier, statements))


async def _commits_exactly_when_balanced(
    url: str, earlier: list[tuple[int, str, int]], statements: list[tuple[list[tuple[int, str, int]], bool]]
) -> None:
    """``earlier``: balanced pairs committed first; then ``statements``, each written by COPY (True)
    or a row at a time, in one transaction."""
    tag = uuid.uuid4().hex[:8]
    ids = [f"{tag}-{n}" for n in range(3)]
    lines = dict.fromkeys(ids, 0)

    def rows(items: list[tuple[int, str, int]]) -> list[tuple[object, ...]]:
        out: list[tuple[object, ...]] = []
        for n, currency, amount in items:
            out.append((ids[n], lines[ids[n]], "p-1", f"account-{lines[ids[n]]}", currency, Decimal(amount), WHEN))
            lines[ids[n]] += 1
        return out

    conn = await asyncpg.connect(url)
    try:
        await write(conn, [entry(i, int(tag, 16) * 3 + n) for n, i in enumerate(ids)], [])  # chain positions unique
        pairs = [(n, c, a) for n, c, amount in earlier for a in (amount, -amount)]
        await conn.copy_records_to_table("postings", columns=POSTING_COLUMNS, records=rows(pairs))
        before = await conn.fetchval("SELECT count(*) FROM postings WHERE entry_id = ANY($1::text[])", ids)
        totals: dict[tuple[int, str], int] = {}
        tx = conn.transaction()
        await tx.start()
        for items, by_copy in statements:
            for n, currency, amount in items:
                totals[(n, currency)] = totals.get((n, currency), 0) + amount
            written = rows(items)
            if by_copy:
                await conn.copy_records_to_table("postings", columns=POSTING_COLUMNS, records=written)
            else:
                for row in written:
                    await conn.execute(INSERT_POSTING, *row)
        balanced = all(total == 0 for total in totals.values())
        if balanced:
            await tx.commit()
        else:
            with pytest.raises(asyncpg.CheckViolationError, match="does not balance"):
                await tx.commit()
        after = await conn.fetchval("SELECT count(*) FROM postings WHERE entry_id = ANY($1::text[])", ids)
        assert after == before + (sum(len(items) for items, _ in statements) if balanced else 0)
        assert await queued(conn) == 0
    finally:
        await conn.close()
