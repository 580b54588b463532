"""``insights`` command line: the service's composition root for processes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from servicekit.cli import ServiceDefinition, build_cli

from ..bootstrap import bootstrap
from ..config import InsightsSettings
from .alert_evaluation import add_evaluate_alerts
from .api import create_app
from .consumer import READ_MODELS


def _add_rebuild(cli: typer.Typer) -> None:
    @cli.command("rebuild")
    def rebuild() -> None:
        """Empty the read models and forget the consumer group's offsets and inbox, so the next
        ``insights consume`` rebuilds them from offset 0 (stop the consumer first)."""
        container = bootstrap(InsightsSettings(database_pool_size=1))

        async def run() -> int:
            try:
                return await container.forget_projection()
            finally:
                await container.runtime.close()

        forgotten = asyncio.run(run())
        typer.echo(f"insights: read models emptied, {forgotten} consumed events forgotten; run `insights consume`")


DEFINITION = ServiceDefinition(
    name="insights",
    settings_factory=InsightsSettings,
    create_app=create_app,
    alembic_ini=Path(__file__).resolve().parents[2] / "alembic.ini",
    consumer=READ_MODELS,
    extra_commands=[_add_rebuild, add_evaluate_alerts],
)


def main() -> None:
    build_cli(DEFINITION)()


if __name__ == "__main__":
    main()
