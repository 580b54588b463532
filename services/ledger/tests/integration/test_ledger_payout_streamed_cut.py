"""A payout cut whose lines are built as the journal's COPY takes them stores exactly what the plain
version stores: every line built first, then written.

Two databases get the same ledger (the same events, ids included); one is cut by the store as it
runs, the other by a store that makes a list of the lines before writing any. Journal entries,
postings, lines, coverage ranges, balances, chain heads and outbox rows must be identical. The
ledger is large enough that the journal's and the outbox's COPY each span several of asyncpg's
512 kB messages, so rows are sent while later lines are still being built.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
from incentive_contracts import topics
from ledger.adapters.payout_store import SqlPayoutStore
from ledger.adapters.store import SqlLedgerStore
from ledger.application.payout_ports import Batch, CutLine
from ledger.application.payouts import CutRequest, cut_batch
from ledger.application.projector import Incoming, project
from ledger_support import enrolled, incoming, won
from servicekit.db import create_engine, sync_url
from servicekit.testing.databases import DatabaseFactory
from servicekit.unit_of_work import UnitOfWorkFactory

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
PARTNERS = 1500
NOW = datetime(2026, 6, 1, tzinfo=UTC)
REQUEST = CutRequest(currency="USD", cutoff=NOW, minimum=Decimal(0), by="finance", now=NOW)
SNAPSHOT = {
    "journal_entries": "SELECT * FROM journal_entries ORDER BY entry_id",
    "postings": "SELECT * FROM postings ORDER BY entry_id, line",
    "payout_lines": "SELECT * FROM payout_lines ORDER BY line_id",
    "payout_coverage_ranges": "SELECT * FROM payout_coverage_ranges ORDER BY line_id, stream, from_sequence",
    "balances": "SELECT * FROM balances ORDER BY partner_id, account, currency",
    "chain_heads": "SELECT * FROM chain_heads ORDER BY partner_id, stream",
    "payout_batches": "SELECT batch_id, currency, cutoff, status, line_count, total, content_hash FROM payout_batches",
    "outbox": "SELECT event_id, topic, partition_key, sequence, event_type, payload FROM outbox ORDER BY id",
}


class PlainPayoutStore(SqlPayoutStore):
    """The plain version (the cut before it streamed): every line built before the first row is written,
    then the journal, balances and heads, then the lines."""

    async def write_cut(self, batch: Batch, cut: Iterable[CutLine]) -> list[CutLine]:
        lines = list(cut)
        await self.post([c.linked for c in lines])
        await self.write_lines(batch, lines)
        return lines


def events() -> list[Incoming]:
    payloads = [enrolled(f"p{n:04}", program_id="default") for n in range(PARTNERS)]
    payloads += [won(f"d{n:04}", f"{1000 + n}.00", date(2026, 2, 1), pid=f"p{n:04}") for n in range(PARTNERS)]
    return [incoming(p, event_id=f"ev-{n}") for n, p in enumerate(payloads)]


async def cut(url: str, store_type: type[SqlPayoutStore]) -> dict[str, list[dict[str, Any]]]:
    engine = create_engine(url, pool_size=1)
    try:
        factory = UnitOfWorkFactory(engine, source="/ledger", topic=topics.LEDGER)
        async with factory() as uow:
            assert await project(SqlLedgerStore(uow), events(), announce=False) == []
            await uow.commit()
        async with factory() as uow:
            result = await cut_batch(store_type(uow), REQUEST)
            await uow.commit()
        assert result.batch.line_count == PARTNERS
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(sync_url(url))
    try:
        return {table: [dict(r) for r in await conn.fetch(query)] for table, query in SNAPSHOT.items()}
    finally:
        await conn.close()


async def test_a_streamed_cut_stores_exactly_what_the_plain_cut_stores(database_factory: DatabaseFactory) -> None:
    streamed = await cut(database_factory.create(ALEMBIC_INI, prefix="led"), SqlPayoutStore)
    plain = await cut(database_factory.create(ALEMBIC_INI, prefix="led"), PlainPayoutStore)
    for table in SNAPSHOT:
        assert streamed[table] == plain[table], table
    payout_rows = [r for r in streamed["journal_entries"] if r["stream"] == "payout"]
    assert len(payout_rows) == PARTNERS
    assert sum(len(repr(r)) for r in payout_rows) > 2 * 524288  # the journal's COPY spans several messages
    assert sum(r["event_type"] == "ledger.payout_batched" for r in streamed["outbox"]) == PARTNERS
