"""The journal's keys and indexes, off while a replay loads it and built once at the end.

Loading millions of rows into indexed tables costs far more than building each index once over
them. ``defer_indexes`` drops the keys, foreign keys and indexes of the journal's tables; what it
returns brings them back exactly as the migrations made them: every index (a key's own index too)
is built from the loaded rows, the keys are then attached to their indexes (``ADD CONSTRAINT ...
USING INDEX``, a catalogue change) and the foreign keys checked. The balance check stays on: since
migration 0015 it sums each ``COPY``'s postings per entry (the loader writes whole entries), so it
needs no index and no pass at the end. Built in one transaction (``restore_indexes``), or, once
the rows are committed (a parallel replay's workers), on several connections at once
(``restore_in_parallel``): index builds on the same table do not block each other.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg

BULK_TABLES = ("journal_entries", "postings")
CONSTRAINTS = """
SELECT c.conname, c.conrelid::regclass::text AS tbl, pg_get_constraintdef(c.oid) AS def, c.contype::text AS contype,
       pg_get_indexdef(c.conindid) AS indexdef
FROM pg_constraint c WHERE c.conrelid::regclass::text = ANY($1::text[]) AND c.contype IN ('p', 'u', 'f')
ORDER BY c.conname
"""
INDEXES = """
SELECT i.indexname, i.indexdef FROM pg_indexes i
WHERE i.schemaname = current_schema() AND i.tablename = ANY($1::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
ORDER BY i.indexname
"""
# A key that can be attached to an index built beforehand: plain columns (no INCLUDE, no deferral).
PLAIN_KEY = re.compile(r"^(PRIMARY KEY|UNIQUE) \([^()]*\)$")


@dataclass(frozen=True)
class Deferred:
    """What brings the tables' keys and indexes back: ``indexes`` independent of each other (any
    order, any connection), then ``after`` in order (keys, then foreign keys)."""

    indexes: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)

    @property
    def statements(self) -> list[str]:
        return [*self.indexes, *self.after]


async def defer_indexes(driver: Any, tables: Sequence[str] = BULK_TABLES) -> Deferred:
    """Drop the tables' constraints and indexes."""
    constraints = await driver.fetch(CONSTRAINTS, list(tables))
    indexes = await driver.fetch(INDEXES, list(tables))
    for c in sorted(constraints, key=lambda c: c["contype"] != "f"):  # foreign keys go first
        await driver.execute(f'ALTER TABLE {c["tbl"]} DROP CONSTRAINT "{c["conname"]}"')
    for i in indexes:
        await driver.execute(f'DROP INDEX "{i["indexname"]}"')
    deferred = Deferred(indexes=[i["indexdef"] for i in indexes])
    for c in sorted(constraints, key=lambda c: c["contype"] == "f"):  # keys before the foreign keys on them
        add = f'ALTER TABLE {c["tbl"]} ADD CONSTRAINT "{c["conname"]}"'
        plain = PLAIN_KEY.match(c["def"])
        if plain is not None:
            deferred.indexes.append(c["indexdef"])
            deferred.after.append(f'{add} {plain.group(1)} USING INDEX "{c["conname"]}"')
        else:
            deferred.after.append(f"{add} {c['def']}")
    return deferred


async def restore_indexes(driver: Any, deferred: Deferred) -> None:
    """Everything in order on one connection (inside the caller's transaction)."""
    for statement in deferred.statements:
        await driver.execute(statement)


async def restore_in_parallel(url: str, deferred: Deferred, connections: int) -> None:
    """The indexes built on ``connections`` connections at once (each build its own transaction: the
    rows are committed), the rest in order in one transaction. An index that cannot be built (a
    duplicate key) fails the whole restore, as it would in one transaction."""
    await execute_in_parallel(url, deferred.indexes, connections)
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await restore_indexes(conn, Deferred(after=deferred.after))
    finally:
        await conn.close()


async def execute_in_parallel(url: str, statements: Sequence[str], connections: int) -> None:
    """Each statement in its own transaction, on up to ``connections`` connections at once, taken in
    order as connections come free; the first failure fails the whole."""
    queue = list(statements)

    async def work() -> None:
        conn = await asyncpg.connect(url)
        try:
            while queue:
                await conn.execute(queue.pop(0))
        finally:
            await conn.close()

    await asyncio.gather(*(work() for _ in range(max(1, min(connections, len(queue))))))
