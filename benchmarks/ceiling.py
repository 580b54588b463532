"""The ceiling: PostgreSQL's own COPY of the rows our projection wrote, into a fresh ledger schema.

Every table the projector writes is copied out of the projected database (binary COPY) and then
copied into a freshly migrated one in one transaction, with the same indexes and constraints. The
time of that COPY-in is what the database can do with no Python in the way.
"""

from __future__ import annotations

import io
import time

import asyncpg
from servicekit.db import sync_url

TABLES = (
    "ledger_partners",
    "chain_heads",
    "ledger_deals",
    "journal_entries",
    "postings",
    "balances",
    "consumed_events",
    "consumer_offsets",
    "stream_sequences",
    "outbox",
)


async def copy_rows(source_url: str, target_url: str) -> tuple[float, dict[str, int]]:
    """Returns the seconds the COPY-in took and the rows copied per table."""
    source = await asyncpg.connect(sync_url(source_url))
    buffers: dict[str, tuple[list[str], bytes]] = {}
    counts: dict[str, int] = {}
    try:
        for table in TABLES:
            columns = [
                r["attname"]
                for r in await source.fetch(
                    "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 "
                    "AND NOT attisdropped ORDER BY attnum",
                    table,
                )
            ]
            buffer = io.BytesIO()
            await source.copy_from_table(table, columns=columns, output=buffer, format="binary")
            buffers[table] = (columns, buffer.getvalue())
            counts[table] = int(await source.fetchval(f'SELECT count(*) FROM "{table}"'))
    finally:
        await source.close()
    target = await asyncpg.connect(sync_url(target_url))
    try:
        started = time.perf_counter()
        async with target.transaction():
            for table, (columns, data) in buffers.items():
                await target.copy_to_table(table, source=io.BytesIO(data), columns=columns, format="binary")
        return time.perf_counter() - started, counts
    finally:
        await target.close()
