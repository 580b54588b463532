"""``registration`` command line: the service's composition root for processes."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from servicekit.cli import ServiceDefinition, build_cli
from servicekit.heartbeat import Heartbeat
from servicekit.logging import configure_logging
from servicekit.runner import run_until_signalled

from ..application.deals import expire
from ..bootstrap import bootstrap
from ..config import RegistrationSettings
from .api import create_app
from .crm_shards import ShardSupervisor, shard_heartbeat
from .crm_worker import CrmSyncWorker, Shard
from .tiers import TIER_CONSUMER


def _expire(cli: typer.Typer) -> None:
    @cli.command("expire")
    def expire_cmd(
        as_of: Annotated[str, typer.Option(help="the business date to expire as of (YYYY-MM-DD)")],
    ) -> None:
        """Expire approved registrations without progress for REGISTRATION_EXPIRY_DAYS (deterministic)."""
        day = date.fromisoformat(as_of)

        async def run() -> list[str]:
            container = bootstrap()
            try:
                async with container.runtime.uow_factory() as uow:
                    expired = await expire(container.unit(uow), day, container.policy, actor="cli:expire")
                    await uow.commit()
                return [d.deal_id for d in expired]
            finally:
                await container.runtime.close()

        expired = asyncio.run(run())
        typer.echo(f"registration: {len(expired)} registrations expired as of {day}")


def _crm_sync(cli: typer.Typer) -> None:
    @cli.command("crm-sync")
    def crm_sync_cmd(
        shard: Annotated[
            int | None,
            typer.Option(help="run this shard only (0..REGISTRATION_CRM_SYNC_SHARDS-1); default: one process each"),
        ] = None,
    ) -> None:
        """Apply stored CRM webhook deliveries, each record's in arrival order (per shard: one active
        worker, others stand by)."""
        settings = RegistrationSettings()
        if shard is None and settings.crm_sync_shards > 1:
            configure_logging("registration-crm-sync", settings.log_level)
            raise typer.Exit(ShardSupervisor(settings.crm_sync_shards, settings.heartbeat_path).run())
        try:
            chosen = Shard(shard or 0, settings.crm_sync_shards)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--shard") from exc
        _run_crm_shard(settings, chosen)


def _run_crm_shard(settings: RegistrationSettings, shard: Shard) -> None:
    container = bootstrap(settings)
    configure_logging("registration-crm-sync", settings.log_level)
    path = settings.heartbeat_path
    beats = path if settings.crm_sync_shards == 1 else shard_heartbeat(path, shard.index)

    async def run() -> None:
        worker = CrmSyncWorker(
            container.runtime.uow_factory,
            container.crm_sync(),
            batch_size=settings.crm_sync_batch,
            poll_seconds=settings.relay_poll_seconds,
            shard=shard,
        )
        worker.heartbeat = Heartbeat(beats)
        try:
            await run_until_signalled(worker, worker.run)
        finally:
            await container.runtime.close()

    asyncio.run(run())


DEFINITION = ServiceDefinition(
    name="registration",
    settings_factory=RegistrationSettings,
    create_app=create_app,
    alembic_ini=Path(__file__).resolve().parents[2] / "alembic.ini",
    consumer=TIER_CONSUMER,
    bootstrap=bootstrap,
    extra_commands=[_expire, _crm_sync],
)


def main() -> None:
    build_cli(DEFINITION)()


if __name__ == "__main__":
    main()
