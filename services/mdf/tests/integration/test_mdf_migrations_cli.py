"""The migrations go down and up cleanly, and the CLI closes a period."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
from alembic import command
from mdf.entrypoints.cli import DEFINITION
from servicekit.cli import build_cli
from servicekit.db import sync_url
from servicekit.migrations import alembic_config, upgrade
from typer.testing import CliRunner

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def tables(url: str) -> set[str]:
    async def read() -> set[str]:
        conn = await asyncpg.connect(sync_url(url))
        try:
            rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        finally:
            await conn.close()
        return {r["tablename"] for r in rows}

    return asyncio.run(read())


def test_migrations_downgrade_and_upgrade_again(database_factory):
    url = database_factory.empty(prefix="mdfmig")
    upgrade(ALEMBIC_INI, url, "head")
    assert {"funds", "mdf_requests", "mdf_claims", "disbursements", "outbox"} <= tables(url)
    command.downgrade(alembic_config(ALEMBIC_INI, url), "0001")
    assert "funds" not in tables(url)
    assert "outbox" in tables(url)
    upgrade(ALEMBIC_INI, url, "head")
    assert "funds" in tables(url)


def test_close_period_command(database_factory):
    url = database_factory.create(ALEMBIC_INI, prefix="mdfcli")
    runner = CliRunner()
    cli = build_cli(DEFINITION)
    result = runner.invoke(cli, ["close-period", "2020-Q1", "--as-of", "2020-04-01"], env={"MDF_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "2020-Q1 closed as of 2020-04-01: 0 requests lapsed, expired nothing" in result.output
    too_early = runner.invoke(cli, ["close-period", "2020-Q2", "--as-of", "2020-06-30"], env={"MDF_DATABASE_URL": url})
    assert too_early.exit_code == 1
    assert "refused: 2020-Q2 ends on 2020-06-30; close it after" in too_early.output
