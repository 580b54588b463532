"""The stairway migration test: every revision's downgrade undoes its upgrade.

From head, each revision in turn is downgraded one step, upgraded again and downgraded once more,
down to base; then the whole chain is applied again. The schema at head (tables, columns, keys,
constraints, indexes, triggers, functions) must come back identical, so a downgrade that forgets
something, or an upgrade that cannot run twice, fails here rather than in an operator's rollback.
"""

from __future__ import annotations

from pathlib import Path

import asyncpg
from alembic import command
from alembic.script import ScriptDirectory

from ..db import sync_url
from ..migrations import alembic_config
from .databases import run_sync

SCHEMA = """
SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
       || ' ' || coalesce(column_default, '')
FROM information_schema.columns WHERE table_schema = 'public'
UNION ALL
SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
UNION ALL
SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
UNION ALL
SELECT 'sequence ' || sequencename FROM pg_sequences WHERE schemaname = 'public'
ORDER BY 1
"""


def schema_of(database_url: str) -> list[str]:
    """The database's public schema as sorted lines (for comparing two states)."""

    async def read() -> list[str]:
        conn = await asyncpg.connect(sync_url(database_url))
        try:
            return [row[0] for row in await conn.fetch(SCHEMA) if "alembic_version" not in row[0]]
        finally:
            await conn.close()

    return run_sync(read)


def revisions(alembic_ini: Path) -> list[str]:
    """The service's revisions from head down to the first."""
    script = ScriptDirectory.from_config(alembic_config(alembic_ini, "postgresql://unused/unused"))
    return [r.revision for r in script.walk_revisions()]


def walk_stairway(alembic_ini: Path, database_url: str) -> list[str]:
    """Walk every revision down and up on an empty database; returns the revisions walked (head first).

    Raises AssertionError when the schema at head differs after the walk, or when a step leaves the
    database at another revision than expected."""
    config = alembic_config(alembic_ini, database_url)
    chain = revisions(alembic_ini)
    command.upgrade(config, "head")
    at_head = schema_of(database_url)
    for revision in chain:
        command.downgrade(config, "-1")
        command.upgrade(config, "+1")
        assert _current(database_url) == revision, f"upgrade did not reach {revision}"
        command.downgrade(config, "-1")
    assert _current(database_url) is None, "downgrading every revision did not reach base"
    assert schema_of(database_url) == [], "base still holds schema objects"
    command.upgrade(config, "head")
    assert _current(database_url) == chain[0]
    after = schema_of(database_url)
    assert after == at_head, f"schema at head differs after the stairway: {sorted(set(after) ^ set(at_head))}"
    return chain


def _current(database_url: str) -> str | None:
    async def read() -> str | None:
        conn = await asyncpg.connect(sync_url(database_url))
        try:
            exists = await conn.fetchval("SELECT to_regclass('public.alembic_version') IS NOT NULL")
            return await conn.fetchval("SELECT version_num FROM alembic_version") if exists else None
        finally:
            await conn.close()

    return run_sync(read)
