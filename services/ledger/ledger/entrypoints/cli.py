"""``ledger`` command line: the service's composition root for processes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from servicekit.cli import ServiceDefinition, build_cli

from ..config import LedgerSettings
from .api import create_app
from .projector import run_projector


def _projector_command(cli: typer.Typer) -> None:
    @cli.command()
    def projector() -> None:
        """Consume deal, engagement and MDF events into the journal (scale with partitions)."""
        asyncio.run(run_projector(LedgerSettings()))


DEFINITION = ServiceDefinition(
    name="ledger",
    settings_factory=LedgerSettings,
    create_app=create_app,  # type: ignore[arg-type]
    alembic_ini=Path(__file__).resolve().parents[2] / "alembic.ini",
    extra_commands=[_projector_command],
)


def main() -> None:
    build_cli(DEFINITION)()


if __name__ == "__main__":
    main()
