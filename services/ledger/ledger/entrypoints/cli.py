"""``ledger`` command line: the service's composition root for processes."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from servicekit.cli import ServiceDefinition, build_cli

from ..application.tier_review import review_tiers
from ..bootstrap import LedgerContainer, bootstrap, command_settings, running
from ..config import LedgerSettings
from . import audit_cli, program_cli, reconcile_cli
from .api import create_app
from .projector import PROJECTOR

REVIEW_CHUNK = 500


async def reevaluate(ledger: LedgerContainer, on: date) -> list[str]:
    """Run the yearly tier review up to ``on`` for every partner; returns one line per tier change."""
    partner_ids = await ledger.queries.all_partner_ids()
    changes: list[str] = []
    for start in range(0, len(partner_ids), REVIEW_CHUNK):
        async with ledger.uow_factory() as uow:
            chunk = partner_ids[start : start + REVIEW_CHUNK]
            made = await review_tiers(ledger.unit(uow).store, chunk, on, ledger.clock.now())
            await uow.commit()
        changes += [_describe(a.payload) for a in made]
    return changes


async def _review(on: str | None) -> tuple[date, list[str]]:
    async with running(command_settings()) as ledger:
        day = date.fromisoformat(on) if on else ledger.today()
        return day, await reevaluate(ledger, day)


def _describe(change: object) -> str:
    previous, tier, reason = (getattr(change, name, None) for name in ("previous_tier", "tier", "reason"))
    return f"{getattr(change, 'partner_id', '?')}: {previous} -> {tier} ({reason})"


def _reevaluate_command(cli: typer.Typer) -> None:
    @cli.command("reevaluate-tiers")
    def reevaluate_tiers(
        on: Annotated[str | None, typer.Option("--date", help="review date YYYY-MM-DD (default today)")] = None,
    ) -> None:
        """Yearly tier review: keep tiers on minimum activity, demote or promote, emit partner.tier_changed."""
        day, changes = asyncio.run(_review(on))
        for line in changes:
            typer.echo(line)
        typer.echo(f"ledger: tier review through {day}: {len(changes)} tier changes")


def _audit_commands(cli: typer.Typer) -> None:
    audit_cli.register(cli, LedgerSettings)  # replays read URLs and topics only (no container to share)
    reconcile_cli.register(cli, lambda: bootstrap(command_settings()))


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
