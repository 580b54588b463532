"""Running long-lived workers (relay, consumers) with graceful shutdown on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from incentive_contracts import topics

from .consumer import IdempotentConsumer
from .db import create_engine
from .gc_tuning import tune_for_batches
from .heartbeat import Heartbeat
from .kafka import ensure_topics, make_producer
from .logging import configure_logging
from .relay import OutboxRelay
from .settings import ServiceSettings
from .unit_of_work import UnitOfWorkFactory


class Stoppable(Protocol):
    def stop(self) -> None: ...


async def run_until_signalled(worker: Stoppable, run: Callable[[], Awaitable[None]]) -> None:
    tune_for_batches()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, worker.stop)
    await run()


def all_topics(prefix: str) -> list[str]:
    return [topics.prefixed(t, prefix) for t in topics.ALL]


async def run_relay(settings: ServiceSettings, *, service: str) -> None:
    """The outbox relay process of one service."""
    configure_logging(f"{service}-relay", settings.log_level)
    await ensure_topics(settings, all_topics(settings.topic_prefix))
    engine = create_engine(settings.database_url, pool_size=2)
    producer = make_producer(settings)
    await producer.start()
    relay = OutboxRelay(
        engine, producer, name=service, batch_size=settings.relay_batch_size, poll_seconds=settings.relay_poll_seconds
    )
    relay.heartbeat = Heartbeat(settings.heartbeat_path)
    try:
        await run_until_signalled(relay, relay.run)
    finally:
        await producer.stop()
        await engine.dispose()


@dataclass(frozen=True)
class ConsumerSpec:
    """A service's Kafka consumer: its CLI command and how to build it on a unit-of-work factory."""

    command: str
    help: str
    source: str
    topic: str  # the service's own outbox topic (unprefixed), for what the handler publishes
    build: Callable[[Any, UnitOfWorkFactory], IdempotentConsumer]

    def uow_factory(self, settings: ServiceSettings, pool_size: int) -> UnitOfWorkFactory:
        engine = create_engine(settings.database_url, pool_size=pool_size)
        return UnitOfWorkFactory(engine, source=self.source, topic=topics.prefixed(self.topic, settings.topic_prefix))


async def run_consumer(settings: ServiceSettings, spec: ConsumerSpec, *, service: str) -> None:
    """A consumer process: joins the group and applies events until SIGTERM/SIGINT."""
    configure_logging(f"{service}-{spec.command}", settings.log_level)
    await ensure_topics(settings, all_topics(settings.topic_prefix))
    factory = spec.uow_factory(settings, pool_size=2)
    consumer = spec.build(settings, factory)
    consumer.heartbeat = Heartbeat(settings.heartbeat_path)
    await consumer.consumer.start()
    try:
        await run_until_signalled(consumer, consumer.run)
    finally:
        await consumer.consumer.stop()
        await factory.engine.dispose()


async def redrive(settings: ServiceSettings, spec: ConsumerSpec, ids: list[int] | None) -> tuple[int, int]:
    """Re-apply dead letters through the consumer's handler (no Kafka connection needed)."""
    factory = spec.uow_factory(settings, pool_size=1)
    try:
        return await spec.build(settings, factory).redrive(ids)
    finally:
        await factory.engine.dispose()
