"""Alembic helpers: one async ``env.py`` body for every service, and database creation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from .db import async_url, sync_url


def run_env(target_metadata: MetaData | None) -> None:
    """The body of every service's ``migrations/env.py`` (online, async)."""
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("sqlalchemy.url is not set; run migrations through the service CLI")

    def do_run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(async_url(url), poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(run())


def rebuild_index_concurrently(
    name: str, table: str, key: list[str], include: list[str], *, where: str | None = None
) -> None:
    """Within a migration: replace the index ``name`` with one on ``key`` holding ``include`` (of the
    rows ``where`` selects: a partial index; all rows when None), built ``CONCURRENTLY`` beside it
    outside the migration's transaction (the table keeps taking writes), then the old one dropped the
    same way and the new one renamed. Every step may be repeated: an upgrade interrupted anywhere is
    finished by running it again (an interrupted concurrent build leaves an invalid index, which the
    first step drops). The RUNBOOK names this pattern."""
    building = f"{name}_building"
    with op.get_context().autocommit_block():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {building}")
        op.create_index(
            building,
            table,
            key,
            postgresql_include=include,
            postgresql_where=text(where) if where is not None else None,
            postgresql_concurrently=True,
        )
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        op.execute(f"ALTER INDEX {building} RENAME TO {name}")


def alembic_config(alembic_ini: Path, database_url: str) -> Config:
    config = Config(str(alembic_ini))
    config.set_main_option("script_location", str(alembic_ini.parent / "migrations"))
    config.set_main_option("sqlalchemy.url", sync_url(database_url).replace("%", "%%"))
    return config


def upgrade(alembic_ini: Path, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(alembic_ini, database_url), revision)


async def ensure_database(database_url: str) -> bool:
    """Create the URL's database if it does not exist. Returns True when it was created."""
    url = make_url(sync_url(database_url))
    name = url.database
    assert name, "the database URL names no database"
    admin = url.set(database="postgres").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            return False
        await conn.execute(f'CREATE DATABASE "{name}"')
        return True
    finally:
        await conn.close()
