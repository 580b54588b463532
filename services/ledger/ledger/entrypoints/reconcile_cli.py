"""``ledger reconcile``: compare the mdf and registration services and the payouts with the ledger,
store the run (the API exports it as gauges) and print every difference with both figures.

Exit status: 0 nothing differs, 1 differences listed, 2 a source (or the ledger's database) could not be read.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from ..application.service_reconciliation import ReconciliationRun, reconcile_and_store, run_json
from ..bootstrap import LedgerContainer
from ..domain.service_reconciliation import Difference

SIDES = {"mdf": "mdf", "registration": "registration", "payouts": "payout lines"}


async def reconcile_once(ledger: LedgerContainer, *, confirm_after: float = 0.0) -> ReconciliationRun:
    """Compare, store the run, and close the container's pool."""
    try:
        return await reconcile_and_store(
            ledger.reconciliation_sources,
            ledger.run_log,
            now=ledger.clock.now,
            run_by="ledger reconcile",
            confirm_after=confirm_after,
        )
    finally:
        await ledger.close()


def describe(d: Difference) -> str:
    deal = f" deal={d.subject}" if d.subject else ""
    return (
        f"{d.check} partner={d.partner_id} period={d.period} currency={d.currency}{deal}: "
        f"{SIDES.get(d.source, d.source)} {d.theirs} / ledger {d.ours} ({d.note})"
    )


def exit_code(run: ReconciliationRun) -> int:
    if run.error is not None or run.report is None:
        return 2
    return 0 if run.report.ok else 1


def register(cli: typer.Typer, container_factory: Callable[[], LedgerContainer]) -> None:
    @cli.command("reconcile")
    def reconcile_command(
        as_json: Annotated[bool, typer.Option("--json", help="print the stored run as JSON")] = False,
        confirm_after: Annotated[
            float, typer.Option(min=0, help="re-read after this many seconds; keep differences found both times")
        ] = 0.0,
    ) -> None:
        """Compare the mdf service's funds, the registration service's won deals and the payouts with the
        ledger, per partner, period and currency; list every difference (exit 1 when any)."""
        try:
            run = asyncio.run(reconcile_once(container_factory(), confirm_after=confirm_after))
        except (SQLAlchemyError, OSError) as exc:  # the ledger's own database: nothing compared, nothing stored
            typer.echo(f"ledger reconcile: cannot use the ledger database: {exc.__class__.__name__}: {exc}", err=True)
            raise typer.Exit(2) from exc
        code = exit_code(run)
        if as_json:
            typer.echo(json.dumps(run_json(run), default=str))
        elif run.report is None:
            typer.echo(f"ledger reconcile: run {run.run_id} failed: {run.error}", err=True)
        else:
            for line in run.report.differences:
                typer.echo(f"DIFF {describe(line)}")
            for line in run.report.information:
                typer.echo(f"INFO {describe(line)}")
            compared = ", ".join(f"{n} {source}" for source, n in sorted(run.report.compared.items()))
            verdict = "no difference" if run.report.ok else f"{len(run.report.differences)} differences"
            typer.echo(f"ledger reconcile: run {run.run_id}: compared {compared}: {verdict}")
        if code:
            raise typer.Exit(code)
