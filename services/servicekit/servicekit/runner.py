"""Running long-lived workers (relay, consumers) with graceful shutdown on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable
from typing import Protocol

from incentive_contracts import topics

from .db import create_engine
from .kafka import ensure_topics, make_producer
from .logging import configure_logging
from .relay import OutboxRelay
from .settings import ServiceSettings


class Stoppable(Protocol):
    def stop(self) -> None: ...


async def run_until_signalled(worker: Stoppable, run: Callable[[], Awaitable[None]]) -> None:
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
    try:
        await run_until_signalled(relay, relay.run)
    finally:
        await producer.stop()
        await engine.dispose()
