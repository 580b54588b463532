"""The daily jobs and the audit draw from the command line, on a real database."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from pathlib import Path

from governance.adapters.unit import SqlGovernanceUnit
from governance.config import GovernanceSettings
from governance.domain.activity import ActivityFact
from governance.domain.audit import AuditCandidate
from governance.entrypoints.cli import DEFINITION
from governance.entrypoints.consumer import ACTIVITY_FEED
from servicekit.cli import build_cli
from servicekit.testing.databases import DatabaseFactory
from typer.testing import CliRunner

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def seed(url: str) -> None:
    """A partner with a QBR, two certifications (36 points) on 2026-03-20, and two won deals in Q1."""

    async def run() -> None:
        factory = ACTIVITY_FEED.uow_factory(GovernanceSettings(environment="test", database_url=url), pool_size=1)
        try:
            async with factory() as uow:
                unit = SqlGovernanceUnit(uow)
                day = date(2026, 3, 20)
                await unit.facts.add([
                    ActivityFact("e-1", "p-1", "engagement:quarterly_business_review", day, Decimal(1)),
                    ActivityFact("e-2", "p-1", "engagement:certification", day, Decimal(2)),
                ])  # fmt: skip
                await unit.population.add([AuditCandidate("deal", f"d-{n}", "p-1", "2026-Q1") for n in range(2)])
                await uow.commit()
        finally:
            await factory.engine.dispose()

    asyncio.run(run())


def test_daily_jobs_and_the_audit_draw(database_factory: DatabaseFactory) -> None:
    url = database_factory.create(ALEMBIC_INI, prefix="govcli")
    seed(url)
    runner, cli, env = CliRunner(), build_cli(DEFINITION), {"GOVERNANCE_DATABASE_URL": url}
    granted = runner.invoke(cli, ["evaluate-benefits", "--as-of", "2026-03-31"], env=env)
    assert granted.exit_code == 0, granted.output
    assert "3 benefits granted or revoked" in granted.output  # committed-partner's three benefits
    lapsed = runner.invoke(cli, ["evaluate-benefits", "--as-of", "2026-07-01"], env=env)
    assert "3 benefits granted or revoked" in lapsed.output  # the same three, revoked
    assert "0 disputes escalated" in runner.invoke(cli, ["escalate-disputes"], env=env).output
    assert runner.invoke(cli, ["draw-audit", "2026-Q1", "--rate", "0.5"], env=env).exit_code == 2  # the program's
    drawn = runner.invoke(cli, ["draw-audit", "2026-Q1"], env=env)
    assert "1 items sampled for 2026-Q1" in drawn.output, drawn.output  # ceil(5 % x 2) at the built-in rate
    again = runner.invoke(cli, ["draw-audit", "2026-Q1"], env=env)
    assert again.exit_code == 1
    assert "refused" in again.output
