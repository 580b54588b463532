"""``collate_text_columns`` on a schema with what PostgreSQL makes awkward: a view over a changed
column, a trigger whose condition names one, a partitioned table and its partition, an index, and a
column that is not text. Every text column takes the target collation; the view, the trigger and the
index are as they were; the rows are untouched; and the reverse call gives the default back."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from servicekit.db import async_url, sync_url
from servicekit.testing.databases import DatabaseFactory, execute_sql
from servicekit.text_collation import BYTES, DATABASE_DEFAULT, collate_text_columns
from sqlalchemy import Connection, pool
from sqlalchemy.ext.asyncio import create_async_engine

SCHEMA = """
CREATE TABLE accounts (account_id text PRIMARY KEY, owner text NOT NULL, opened integer NOT NULL);
CREATE INDEX accounts_owner ON accounts (owner);
CREATE VIEW owners AS SELECT owner, count(*) AS n FROM accounts WHERE account_id LIKE 'a:%' GROUP BY owner;
CREATE FUNCTION keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER accounts_named BEFORE INSERT ON accounts FOR EACH ROW WHEN (NEW.owner <> '') EXECUTE FUNCTION keep();
CREATE TABLE moves (year integer NOT NULL, period text NOT NULL, account_id text NOT NULL) PARTITION BY LIST (year);
CREATE TABLE moves_2026 PARTITION OF moves FOR VALUES IN (2026);
INSERT INTO accounts VALUES ('a:1', 'Zoë', 1), ('a:2', 'adam', 2);
INSERT INTO moves VALUES (2026, '2026-Q1', 'a:1');
"""
STATE = """
SELECT (SELECT string_agg(c.relname || '.' || a.attname || ' ' || a.attcollation::regcollation::text, ', '
                          ORDER BY c.relname, a.attname)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
          AND a.atttypid = 'text'::regtype AND a.attnum > 0) AS collations,
       pg_get_viewdef('owners'::regclass) AS view,
       (SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'accounts_named') AS trigger,
       pg_get_indexdef('accounts_owner'::regclass) AS index,
       (SELECT string_agg(owner || opened, ',' ORDER BY opened) FROM accounts) AS rows,
       (SELECT count(*) FROM moves_2026) AS moved
"""


async def _state(url: str) -> asyncpg.Record:
    conn = await asyncpg.connect(url)  # a new connection: no statement cached before the change
    try:
        state = await conn.fetchrow(STATE)
        assert state is not None
        return state
    finally:
        await conn.close()


def _collated(collation: str) -> str:
    columns = ["accounts.account_id", "accounts.owner", "moves.account_id", "moves.period"]
    columns += ["moves_2026.account_id", "moves_2026.period"]
    return ", ".join(f"{c} {collation}" for c in columns)


async def test_every_text_column_takes_the_collation_and_everything_around_it_stays(
    database_factory: DatabaseFactory,
) -> None:
    database_url = database_factory.empty("collate")
    await execute_sql(database_url, SCHEMA)
    url = sync_url(database_url)
    engine = create_async_engine(async_url(database_url), poolclass=pool.NullPool)

    def migrate(source: str, target: str) -> Callable[[Connection], None]:
        def run(connection: Connection) -> None:
            with Operations.context(MigrationContext.configure(connection)):
                collate_text_columns(source=source, target=target)

        return run

    try:
        before = await _state(url)
        assert before["collations"] == _collated('"default"')

        async with engine.begin() as conn:
            await conn.run_sync(migrate(DATABASE_DEFAULT, BYTES))
        after = await _state(url)
        assert after["collations"] == _collated('"C"')  # the partition follows its table
        assert after[1:] == before[1:]  # view, trigger, index and rows as they were

        async with engine.begin() as conn:
            await conn.run_sync(migrate(BYTES, DATABASE_DEFAULT))
        assert await _state(url) == before
    finally:
        await engine.dispose()
