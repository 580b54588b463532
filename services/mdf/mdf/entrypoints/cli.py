"""``mdf`` command line: the service's composition root for processes."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from servicekit.cli import ServiceDefinition, build_cli

from ..application.periods import close_period
from ..bootstrap import bootstrap
from ..config import MdfSettings
from ..domain.errors import DomainError
from ..domain.period_close import ClosePeriod
from .api import create_app
from .consumer import LEDGER_FEED


def _add_close_period(cli: typer.Typer) -> None:
    @cli.command("close-period")
    def close_period_cmd(
        period: Annotated[str, typer.Argument(help="the period to close, e.g. 2026-Q1")],
        as_of: Annotated[str, typer.Option(help="closing date (YYYY-MM-DD); claim deadlines before it have passed")],
    ) -> None:
        """Close a period: lapse requests past their claim deadline, expire unreserved funds."""

        async def run() -> str:
            container = bootstrap()
            try:
                async with container.runtime.uow_factory() as uow:
                    command = ClosePeriod(period, date.fromisoformat(as_of), container.today())
                    summary = await close_period(container.unit(uow), command)
                    await uow.commit()
            finally:
                await container.runtime.close()
            expired = ", ".join(f"{a} {c}" for c, a in sorted(summary.expired.items())) or "nothing"
            return f"{period} closed as of {as_of}: {len(summary.lapsed_requests)} requests lapsed, expired {expired}"

        try:
            typer.echo(asyncio.run(run()))
        except (DomainError, ValueError) as exc:
            typer.echo(f"refused: {exc}", err=True)
            raise typer.Exit(1) from exc


DEFINITION = ServiceDefinition(
    name="mdf",
    settings_factory=MdfSettings,
    create_app=create_app,
    alembic_ini=Path(__file__).resolve().parents[2] / "alembic.ini",
    consumer=LEDGER_FEED,
    bootstrap=bootstrap,
    extra_commands=[_add_close_period],
)


def main() -> None:
    build_cli(DEFINITION)()


if __name__ == "__main__":
    main()
