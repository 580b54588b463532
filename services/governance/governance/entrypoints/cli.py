"""``governance`` command line: the service's composition root for processes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from servicekit.cli import ServiceDefinition, build_cli

from ..application.audits import draw_sample
from ..application.benefits import evaluate_all
from ..application.disputes import escalate_overdue
from ..application.ports import GovernanceUnit
from ..bootstrap import GovernanceContainer, bootstrap
from ..config import GovernanceSettings
from ..domain.errors import DomainError
from .api import create_app
from .consumer import ACTIVITY_FEED

Job = Callable[[GovernanceUnit, GovernanceContainer, date], Awaitable[int]]  # how many things changed


def _run(job: Job, as_of: str | None) -> int:
    async def run() -> int:
        container = bootstrap(GovernanceSettings())
        try:
            async with container.runtime.uow_factory() as uow:
                work = container.unit(uow)
                day = date.fromisoformat(as_of) if as_of else work.clock.now().date()
                changed = await job(work, container, day)
                await uow.commit()
        finally:
            await container.runtime.close()
        return changed

    try:
        return asyncio.run(run())
    except (DomainError, ValueError, InvalidOperation) as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(1) from exc


def _add_daily_jobs(cli: typer.Typer) -> None:
    @cli.command("evaluate-benefits")
    def evaluate_cmd(as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today")] = None) -> None:
        """Grant and revoke every partner's commitment benefits as of a day (run daily)."""

        async def job(work: GovernanceUnit, container: GovernanceContainer, day: date) -> int:
            return len(await evaluate_all(work, day))

        count = _run(job, as_of)
        typer.echo(f"{count} benefits granted or revoked")

    @cli.command("escalate-disputes")
    def escalate_cmd() -> None:
        """Escalate every dispute left unanswered for GOVERNANCE_DISPUTE_ANSWER_DAYS (run daily)."""

        async def job(work: GovernanceUnit, container: GovernanceContainer, day: date) -> int:
            return len(await escalate_overdue(work, day, container.disputes))

        count = _run(job, None)
        typer.echo(f"{count} disputes escalated")


def _add_audit_draw(cli: typer.Typer) -> None:
    @cli.command("draw-audit")
    def draw_cmd(
        period: Annotated[str, typer.Argument(help="the period to sample, e.g. 2026-Q1")],
        seed: Annotated[str | None, typer.Option(help="default GOVERNANCE_AUDIT_SEED")] = None,
    ) -> None:
        """Draw the period's spot-audit sample of won deals and MDF claims (once per period), at the rate
        of the program version in force on the period's first day."""

        async def job(work: GovernanceUnit, container: GovernanceContainer, day: date) -> int:
            return len((await draw_sample(work, period, seed or container.settings.audit_seed, day)).items)

        typer.echo(f"{_run(job, None)} items sampled for {period}")


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
    extra_commands=[_add_daily_jobs, _add_audit_draw, _add_webhook_worker],
)


def main() -> None:
    build_cli(DEFINITION)()


if __name__ == "__main__":
    main()
