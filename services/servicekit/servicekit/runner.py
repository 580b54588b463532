"""Running long-lived workers (relay, consumers) with graceful shutdown on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from incentive_contracts import topics

from .consumer import IdempotentConsumer
from .container import ServiceRuntime
from .db import create_engine
from .gc_tuning import tune_for_batches
from .handling import EventHandler
from .heartbeat import Heartbeat
from .kafka import ensure_topics, make_consumer, make_producer
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


async def run_relay(runtime: ServiceRuntime) -> None:
    """The outbox relay process of one service, on its runtime's engine."""
    settings = runtime.settings
    configure_logging(f"{runtime.service}-relay", settings.log_level)
    await ensure_topics(settings, all_topics(settings.topic_prefix))
    producer = make_producer(settings)
    await producer.start()
    relay = OutboxRelay(
        runtime.engine,
        producer,
        name=runtime.service,
        batch_size=settings.relay_batch_size,
        poll_seconds=settings.relay_poll_seconds,
    )
    relay.heartbeat = Heartbeat(settings.heartbeat_path)
    try:
        await run_until_signalled(relay, relay.run)
    finally:
        await producer.stop()
        await runtime.close()


def _default_max_records(settings: Any) -> int:
    return 2000


@dataclass(frozen=True, kw_only=True)
class ConsumerSpec:
    """A service's Kafka consumer: its CLI command, what it reads and its handler.

    :meth:`build` is the one place a consumer is constructed (the ``consume`` command, the re-drive
    command and the dead-letter routes all use it), so every service's consumer is wired the same
    way: the group and batch size from its settings, its topics prefixed, parking from settings.
    """

    command: str
    help: str
    source: str
    topic: str  # the service's own outbox topic (unprefixed), for what the handler publishes
    consumes: tuple[str, ...]  # the topics it reads (unprefixed)
    group: Callable[[Any], str]  # the consumer group, from the service's settings
    handler: Callable[[ServiceRuntime], EventHandler]
    max_records: Callable[[Any], int] = _default_max_records

    def runtime(self, settings: ServiceSettings) -> ServiceRuntime:
        """A runtime of its own for a consumer process (the service is named after ``source``)."""
        topic = topics.prefixed(self.topic, settings.topic_prefix)
        return ServiceRuntime.build(settings, service=self.source.strip("/"), source=self.source, topic=topic)

    def uow_factory(self, settings: ServiceSettings, pool_size: int) -> UnitOfWorkFactory:
        """Units on an engine of their own (tools and tests that drive the handler directly)."""
        engine = create_engine(settings.database_url, pool_size=pool_size)
        return UnitOfWorkFactory(engine, source=self.source, topic=topics.prefixed(self.topic, settings.topic_prefix))

    def build(self, runtime: ServiceRuntime, **overrides: object) -> IdempotentConsumer:
        """The consumer on ``runtime``'s units; ``overrides`` go to the Kafka client (tests)."""
        settings = runtime.settings
        group = self.group(settings)
        return IdempotentConsumer(
            make_consumer(settings, group, **overrides),
            runtime.uow_factory,
            self.handler(runtime),
            group_id=group,
            topics=[topics.prefixed(t, settings.topic_prefix) for t in self.consumes],
            dead_letter_topic=topics.prefixed(topics.DEAD_LETTER, settings.topic_prefix),
            max_records=self.max_records(settings),
            park_timeout=timedelta(seconds=settings.consumer_park_timeout_seconds),
            park_retry_seconds=settings.consumer_park_retry_seconds,
        )


async def run_consumer(runtime: ServiceRuntime, spec: ConsumerSpec) -> None:
    """A consumer process on ``runtime``: joins the group and applies events until SIGTERM/SIGINT."""
    settings = runtime.settings
    configure_logging(f"{runtime.service}-{spec.command}", settings.log_level)
    await ensure_topics(settings, all_topics(settings.topic_prefix))
    consumer = spec.build(runtime)
    consumer.heartbeat = Heartbeat(settings.heartbeat_path)
    await consumer.consumer.start()
    try:
        await run_until_signalled(consumer, consumer.run)
    finally:
        await consumer.consumer.stop()
        await runtime.close()


async def redrive(runtime: ServiceRuntime, spec: ConsumerSpec, ids: list[int] | None) -> tuple[int, int]:
    """Re-apply dead letters through the consumer's handler (no Kafka connection is made)."""
    consumer = spec.build(runtime)
    try:
        return await consumer.redrive(ids)
    finally:
        await consumer.consumer.stop()  # never started: releases what the client allocated
        await runtime.close()
