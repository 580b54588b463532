"""One evaluation of the drift thresholds on a unit of work, wired from the container: what
``POST /alerts/evaluations`` and ``insights evaluate-alerts`` (a scheduler's job) both run."""

from __future__ import annotations

import asyncio

import typer
from servicekit.unit_of_work import UnitOfWork

from ..application.alerts import Evaluation, evaluate_alerts
from ..bootstrap import InsightsContainer, bootstrap
from ..domain.quarters import quarter_of, shift


async def evaluate_in(uow: UnitOfWork, container: InsightsContainer, period: str) -> Evaluation:
    now = container.runtime.clock.now()
    source, writer = container.indicator_source(uow.conn), container.money_writer(uow.conn)
    return await evaluate_alerts(source, writer, uow, container.thresholds, period=period, today=now.date(), now=now)


def add_evaluate_alerts(cli: typer.Typer) -> None:
    @cli.command("evaluate-alerts")
    def evaluate_alerts_command(
        period: str = typer.Option(None, help="YYYY-Qn; default: the last complete quarter"),
    ) -> None:
        """Evaluate the drift thresholds in force on a quarter and raise the alerts not raised before."""
        container = bootstrap()

        async def run() -> Evaluation:
            quarter = period or shift(quarter_of(container.runtime.clock.now().date()), -1)
            try:
                async with container.runtime.uow_factory() as uow:
                    result = await evaluate_in(uow, container, quarter)
                    await uow.commit()
                    return result
            finally:
                await container.runtime.close()

        result = asyncio.run(run())
        typer.echo(
            f"insights: {result.period} evaluated under thresholds v{result.thresholds_version}"
            f" ({result.evaluated} subjects), {len(result.raised)} alert(s) raised"
        )
