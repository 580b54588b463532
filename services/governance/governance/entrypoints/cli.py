"""``governance`` command line: the service's composition root for processes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from incentive_contracts.payload import EventPayload
from servicekit.cli import ServiceDefinition, build_cli

from ..adapters.unit import SqlGovernanceUnit
from ..application.benefits import evaluate_all
from ..application.disputes import escalate_overdue
from ..bootstrap import GovernanceContainer, bootstrap
from ..config import GovernanceSettings
from ..domain.errors import DomainError
from .api import create_app
from .consumer import ACTIVITY_FEED

Job = Callable[[SqlGovernanceUnit, GovernanceContainer, date], Awaitable[list[EventPayload]]]


def _run(job: Job, as_of: str | None) -> int:
    async def run() -> int:
        container = bootstrap(GovernanceSettings())
        try:
            async with container.runtime.uow_factory() as uow:
                work = SqlGovernanceUnit(uow, container.runtime.clock)
                day = date.fromisoformat(as_of) if as_of else work.clock.now().date()
                events = await job(work, container, day)
                await uow.commit()
        finally:
            await container.runtime.close()
        return len(events)

    try:
        return asyncio.run(run())
    except (DomainError, ValueError) as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(1) from exc


def _add_daily_jobs(cli: typer.Typer) -> None:
    @cli.command("evaluate-benefits")
    def evaluate_cmd(as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today")] = None) -> None:
        """Grant and revoke every partner's commitment benefits as of a day (run daily)."""
        count = _run(lambda u, c, d: evaluate_all(u, c.rules, d), as_of)
        typer.echo(f"{count} benefits granted or revoked")

    @cli.command("escalate-disputes")
    def escalate_cmd() -> None:
        """Escalate every dispute left unanswered for GOVERNANCE_DISPUTE_ANSWER_DAYS (run daily)."""
        count = _run(lambda u, c, d: escalate_overdue(u, d, c.disputes), None)
        typer.echo(f"{count} disputes escalated")


def _add_webhook_worker(cli: typer.Typer) -> None:
    @cli.command("deliver-webhooks")
    def deliver_cmd() -> None:
        """Deliver webhooks (signed, retried with backoff) until SIGTERM."""
        from .webhook_worker import run_webhook_worker

        asyncio.run(run_webhook_worker(GovernanceSettings()))


DEFINITION = ServiceDefinition(
    name="governance",
    settings_factory=GovernanceSettings,
    create_app=create_app,
    alembic_ini=Path(__file__).resolve().parents[2] / "alembic.ini",
    consumer=ACTIVITY_FEED,
    extra_commands=[_add_daily_jobs, _add_webhook_worker],
)


def main() -> None:
    build_cli(DEFINITION)()


if __name__ == "__main__":
    main()
