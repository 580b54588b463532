"""A replayed database left as ready to read as a live one: every table vacuumed and analysed.

A replay writes millions of rows that no vacuum has visited and no statistics describe. Until a
vacuum sets the visibility map, an index-only scan reads the table after all: ``ledger verify`` reads
each page's postings from the payout index alone (migration 0013) only on a vacuumed table. Until an
analyse, the planner takes the tables for empty. Left to autovacuum, both happen while the first
reader runs, on the same cores. So the replay vacuums its load once, largest table first, on as many
connections as it had workers.
"""

from __future__ import annotations

import asyncpg

from .replay_indexes import execute_in_parallel

# Every table of the replayed schema, largest first (the last to start is then a small one).
VACUUMS = """
SELECT format('VACUUM (ANALYZE) %I.%I', n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname = current_schema()
ORDER BY pg_relation_size(c.oid) DESC, c.relname
"""


async def vacuum_replayed(url: str, connections: int) -> None:
    """Vacuum and analyse every table of the database at ``url`` (asyncpg form), once the replay has
    committed (``VACUUM`` runs outside any transaction)."""
    conn = await asyncpg.connect(url)
    try:
        statements = [row[0] for row in await conn.fetch(VACUUMS)]
    finally:
        await conn.close()
    await execute_in_parallel(url, statements, connections)
