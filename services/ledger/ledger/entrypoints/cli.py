"""``ledger`` command line: the service's composition root for processes."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from incentive_contracts import topics
from servicekit.cli import ServiceDefinition, build_cli
from servicekit.db import create_engine
from servicekit.unit_of_work import UnitOfWorkFactory

from ..adapters import queries
from ..adapters.store import SqlLedgerStore
from ..application.tier_review import review_tiers
from ..bootstrap import SOURCE
from ..config import LedgerSettings
from . import audit_cli, program_cli, reconcile_cli
from .api import create_app
from .projector import PROJECTOR

REVIEW_CHUNK = 500


async def reevaluate(settings: LedgerSettings, on: date) -> list[str]:
    """Run the yearly tier review up to ``on`` for every partner; returns one line per tier change."""
    engine = create_engine(settings.database_url, pool_size=1)
    factory = UnitOfWorkFactory(engine, source=SOURCE, topic=topics.prefixed(topics.LEDGER, settings.topic_prefix))
    changes: list[str] = []
    try:
        async with engine.connect() as conn:
            partner_ids = await queries.all_partner_ids(conn)
        for start in range(0, len(partner_ids), REVIEW_CHUNK):
            async with factory() as uow:
                made = await review_tiers(
                    SqlLedgerStore(uow), partner_ids[start : start + REVIEW_CHUNK], on, datetime.now(UTC)
                )
                await uow.commit()
            changes += [_describe(a.payload) for a in made]
    finally:
        await engine.dispose()
    return changes


def _describe(change: object) -> str:
    previous, tier, reason = (getattr(change, name, None) for name in ("previous_tier", "tier", "reason"))
    return f"{getattr(change, 'partner_id', '?')}: {previous} -> {tier} ({reason})"


def _reevaluate_command(cli: typer.Typer) -> None:
    @cli.command("reevaluate-tiers")
    def reevaluate_tiers(
        on: Annotated[str | None, typer.Option("--date", help="review date YYYY-MM-DD (default today)")] = None,
    ) -> None:
        """Yearly tier review: keep tiers on minimum activity, demote or promote, emit partner.tier_changed."""
        day = date.fromisoformat(on) if on else datetime.now(UTC).date()
        changes = asyncio.run(reevaluate(LedgerSettings(), day))
        for line in changes:
            typer.echo(line)
        typer.echo(f"ledger: tier review through {day}: {len(changes)} tier changes")


def _audit_commands(cli: typer.Typer) -> None:
    audit_cli.register(cli, LedgerSettings)
    reconcile_cli.register(cli, LedgerSettings)


DEFINITION = ServiceDefinition(
    name="ledger",
    settings_factory=LedgerSettings,
    create_app=create_app,
    alembic_ini=Path(__file__).resolve().parents[2] / "alembic.ini",
    consumer=PROJECTOR,
    extra_commands=[_reevaluate_command, _audit_commands, program_cli.register],
)


def main() -> None:
    build_cli(DEFINITION)()


if __name__ == "__main__":
    main()
