"""The command line every service shares: api, relay, migrate, mint-token, republish, redrive."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from fastapi import FastAPI

from .auth import SCOPES, mint_token
from .container import HasRuntime, ServiceRuntime
from .gc_tuning import tune_for_batches
from .kafka import ensure_topics
from .migrations import ensure_database, upgrade
from .offsets import forget_offsets
from .relay import republish
from .runner import ConsumerSpec, all_topics, redrive, run_consumer, run_relay
from .settings import ServiceSettings


@dataclass
class ServiceDefinition:
    """What the shared CLI needs to know about one service (its composition root)."""

    name: str
    settings_factory: Callable[[], ServiceSettings]
    create_app: Callable[..., FastAPI]  # each service takes its own Settings subclass
    alembic_ini: Path
    consumer: ConsumerSpec | None = None
    # The service's composition root (``bootstrap(settings)``); the workers run on its runtime.
    bootstrap: Callable[[Any], HasRuntime] | None = None
    extra_commands: list[Callable[[typer.Typer], None]] = field(default_factory=list)


def runtime_for(definition: ServiceDefinition, settings: ServiceSettings | None = None) -> ServiceRuntime:
    """The runtime a worker command runs on: the service container's, when it declares its bootstrap."""
    settings = settings or definition.settings_factory()
    if definition.bootstrap is not None:
        return definition.bootstrap(settings).runtime
    if definition.consumer is not None:
        return definition.consumer.runtime(settings)
    return ServiceRuntime.build(settings, service=definition.name, source=f"/{definition.name}", topic=definition.name)


def build_cli(definition: ServiceDefinition) -> typer.Typer:
    cli = typer.Typer(name=definition.name, no_args_is_help=True, add_completion=False)
    _add_serving_commands(cli, definition)
    _add_setup_commands(cli, definition)
    _add_outbox_and_offset_commands(cli, definition)
    if definition.consumer is not None:
        _add_consumer_commands(cli, definition, definition.consumer)

    for extend in definition.extra_commands:
        extend(cli)
    return cli


def _add_serving_commands(cli: typer.Typer, definition: ServiceDefinition) -> None:
    @cli.command()
    def api(
        host: Annotated[str | None, typer.Option(help="listen address (default from settings)")] = None,
        port: Annotated[int | None, typer.Option(help="listen port (default from settings)")] = None,
    ) -> None:
        """Serve the HTTP API."""
        settings = definition.settings_factory()
        if definition.bootstrap is not None:
            app = definition.create_app(container=definition.bootstrap(settings))
        else:
            app = definition.create_app(settings)
        tune_for_batches()  # a bulk request allocates like a batch; full collections stalled every request
        uvicorn.run(
            app,
            host=host or settings.http_host,
            port=port or settings.http_port,
            log_level="warning",
            access_log=False,
            loop="uvloop",
            lifespan="on",
        )

    @cli.command()
    def relay() -> None:
        """Publish the outbox to Kafka (one active relay per service; others stand by)."""
        asyncio.run(run_relay(runtime_for(definition)))


def _add_setup_commands(cli: typer.Typer, definition: ServiceDefinition) -> None:
    @cli.command()
    def migrate(revision: str = "head") -> None:
        """Create the database if needed and apply the Alembic migrations."""
        settings = definition.settings_factory()
        asyncio.run(ensure_database(settings.database_url))
        upgrade(definition.alembic_ini, settings.database_url, revision)
        typer.echo(f"{definition.name}: migrated to {revision}")

    @cli.command("create-topics")
    def create_topics() -> None:
        """Create every topic with the configured partitions and replication factor."""
        settings = definition.settings_factory()
        asyncio.run(ensure_topics(settings, all_topics(settings.topic_prefix)))

    @cli.command("mint-token")
    def mint(
        subject: Annotated[str, typer.Option(help="who the token is for")],
        scope: Annotated[list[str], typer.Option(help=f"repeatable; one of: {', '.join(sorted(SCOPES))}")],
        partner_id: Annotated[str | None, typer.Option(help="bind the token to one partner")] = None,
        ttl: Annotated[int, typer.Option(help="lifetime in seconds")] = 3600,
        allow_staff_scopes: Annotated[
            bool, typer.Option(help="bind staff scopes to --partner-id too (routes confine them or refuse them)")
        ] = False,
    ) -> None:
        """Mint a scoped bearer token signed with this service's token secret."""
        settings = definition.settings_factory()
        try:
            token = mint_token(
                settings.token_secret.get_secret_value(),
                subject=subject,
                scopes=scope,
                partner_id=partner_id,
                ttl_seconds=ttl,
                allow_staff_scopes=allow_staff_scopes,
            )
        except ValueError as exc:
            typer.echo(f"mint-token: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(token)


def _add_outbox_and_offset_commands(cli: typer.Typer, definition: ServiceDefinition) -> None:
    @cli.command("republish")
    def republish_cmd(
        from_id: Annotated[int | None, typer.Option(help="first outbox id (default: all)")] = None,
        to_id: Annotated[int | None, typer.Option(help="last outbox id (default: all)")] = None,
    ) -> None:
        """Mark outbox rows unpublished so the relay sends them again (recovers a broker that lost data)."""

        async def run() -> int:
            runtime = runtime_for(definition)
            try:
                return await republish(runtime.engine, from_id=from_id, to_id=to_id)
            finally:
                await runtime.close()

        typer.echo(f"{definition.name}: {asyncio.run(run())} outbox rows queued for re-publishing")

    @cli.command("reset-offsets")
    def reset_offsets(
        group: Annotated[str | None, typer.Option(help="consumer group (default: every group)")] = None,
    ) -> None:
        """Forget stored consumer offsets so consumers re-read from offset 0 (after a broker lost its data).

        Safe at any time: the inbox of consumed event ids skips everything already applied.
        """

        async def run() -> int:
            runtime = runtime_for(definition)
            try:
                return await forget_offsets(runtime.engine, group)
            finally:
                await runtime.close()

        typer.echo(f"{definition.name}: {asyncio.run(run())} stored partition offsets cleared")


def _add_consumer_commands(cli: typer.Typer, definition: ServiceDefinition, spec: ConsumerSpec) -> None:
    @cli.command(spec.command, help=spec.help)
    def consume() -> None:
        asyncio.run(run_consumer(runtime_for(definition), spec))

    @cli.command("redrive")
    def redrive_cmd(
        dead_letter_id: Annotated[list[int] | None, typer.Option("--id", help="dead letter id (default: all)")] = None,
    ) -> None:
        """Apply dead-lettered events again after a fix (each at most once, through the inbox)."""
        applied, failing = asyncio.run(redrive(runtime_for(definition), spec, dead_letter_id))
        typer.echo(f"{definition.name}: {applied} re-driven, {failing} still failing")


def run_cli(definition: ServiceDefinition, *args: Any) -> None:
    build_cli(definition)(*args)
