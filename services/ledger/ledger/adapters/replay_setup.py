"""A replay's database: created and migrated if needed, refused unless empty, given the catalogue
(program versions, pilots, cohort changes) the live ledger ran under."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from servicekit.db import create_engine, sync_url
from servicekit.migrations import ensure_database, upgrade
from sqlalchemy import select

from ..domain.catalog import ProgramVersion
from ..domain.cohorts import CohortChange, Pilot
from .cohorts import load_cohorts
from .programs import published_versions
from .tables import program_versions

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
CATALOG_TABLES = {
    "program_versions": "",
    "pilots": "",
    "cohort_changes": "OVERRIDING SYSTEM VALUE",
}


class TargetNotEmpty(RuntimeError):
    """A replay writes only into an empty ledger database."""


@dataclass(frozen=True)
class CatalogSnapshot:
    versions: list[ProgramVersion]
    pilots: list[Pilot]
    changes: list[CohortChange]


async def prepare_target(url: str) -> asyncpg.Connection:
    """Create and migrate the database if needed; an open connection to it, which must be empty."""
    await ensure_database(url)
    await asyncio.to_thread(upgrade, ALEMBIC_INI, url)
    conn = await asyncpg.connect(sync_url(url))
    if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM journal_entries) OR EXISTS (SELECT 1 FROM balances)"):
        await conn.close()
        raise TargetNotEmpty(f"{_name(url)} already holds a ledger: replay into an empty database")
    return conn


async def read_catalog(url: str) -> CatalogSnapshot:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            ids = [r.program_id for r in await conn.execute(select(program_versions.c.program_id).distinct())]
            versions = await published_versions(conn, ids)
            pilots, changes = await load_cohorts(conn, None, None)
    finally:
        await engine.dispose()
    return CatalogSnapshot(versions, pilots, changes)


async def copy_catalog(source_url: str, target: asyncpg.Connection) -> None:
    """The catalogue tables as they are in the source, row for row."""
    source = await asyncpg.connect(sync_url(source_url))
    try:
        for table, overriding in CATALOG_TABLES.items():
            rows = await source.fetch(f"SELECT * FROM {table}")
            if not rows:
                continue
            columns = list(rows[0].keys())
            placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
            await target.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) {overriding} VALUES ({placeholders})",
                [tuple(r.values()) for r in rows],
            )
    finally:
        await source.close()


def _name(url: str) -> str:
    return sync_url(url).rsplit("/", 1)[-1]
