"""``registration`` command line: the service's composition root for processes."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from incentive_contracts import topics
from servicekit.cli import ServiceDefinition, build_cli
from servicekit.db import create_engine
from servicekit.heartbeat import Heartbeat
from servicekit.logging import configure_logging
from servicekit.runner import run_until_signalled
from servicekit.unit_of_work import UnitOfWorkFactory

from ..adapters.unit import SqlRegistrationUnit
from ..application.deals import expire
from ..config import RegistrationSettings
from ..crm_mappings import CrmMappings
from .api import SOURCE, create_app
from .crm_worker import CrmSync, CrmSyncWorker
from .tiers import TIER_CONSUMER


def _expire(cli: typer.Typer) -> None:
    @cli.command("expire")
    def expire_cmd(
        as_of: Annotated[str, typer.Option(help="the business date to expire as of (YYYY-MM-DD)")],
    ) -> None:
        """Expire approved registrations without progress for REGISTRATION_EXPIRY_DAYS (deterministic)."""
        settings = RegistrationSettings()
        day = date.fromisoformat(as_of)

        async def run() -> list[str]:
            engine = create_engine(settings.database_url, pool_size=1)
            factory = UnitOfWorkFactory(
                engine, source=SOURCE, topic=topics.prefixed(topics.REGISTRATION, settings.topic_prefix)
            )
            try:
                async with factory() as uow:
                    expired = await expire(SqlRegistrationUnit(uow), day, settings.policy(), actor="cli:expire")
                    await uow.commit()
                return [d.deal_id for d in expired]
            finally:
                await engine.dispose()

        expired = asyncio.run(run())
        typer.echo(f"registration: {len(expired)} registrations expired as of {day}")


def _crm_sync(cli: typer.Typer) -> None:
    @cli.command("crm-sync")
    def crm_sync_cmd() -> None:
        """Apply stored CRM webhook deliveries in arrival order (one active worker; others stand by)."""
        settings = RegistrationSettings()
        configure_logging("registration-crm-sync", settings.log_level)

        async def run() -> None:
            engine = create_engine(settings.database_url, pool_size=2)
            factory = UnitOfWorkFactory(
                engine, source=SOURCE, topic=topics.prefixed(topics.REGISTRATION, settings.topic_prefix)
            )
            sync = CrmSync(CrmMappings.load(settings.crm_mapping_file), settings.policy())
            worker = CrmSyncWorker(
                factory, sync, batch_size=settings.crm_sync_batch, poll_seconds=settings.relay_poll_seconds
            )
            worker.heartbeat = Heartbeat(settings.heartbeat_path)
            try:
                await run_until_signalled(worker, worker.run)
            finally:
                await engine.dispose()

        asyncio.run(run())


DEFINITION = ServiceDefinition(
    name="registration",
    settings_factory=RegistrationSettings,
    create_app=create_app,
    alembic_ini=Path(__file__).resolve().parents[2] / "alembic.ini",
    consumer=TIER_CONSUMER,
    extra_commands=[_expire, _crm_sync],
)


def main() -> None:
    build_cli(DEFINITION)()


if __name__ == "__main__":
    main()
