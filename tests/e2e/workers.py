"""Running a service's relay, the ledger projector and the mdf consumer as in-process asyncio tasks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from ledger.config import LedgerSettings
from ledger.entrypoints.projector import PROJECTOR
from mdf.config import MdfSettings
from mdf.entrypoints.consumer import LEDGER_FEED
from servicekit.db import create_engine
from servicekit.kafka import ensure_topics, make_producer
from servicekit.relay import OutboxRelay
from servicekit.runner import ConsumerSpec, all_topics
from servicekit.settings import ServiceSettings
from servicekit.testing.consumers import stop_and_leave


@asynccontextmanager
async def relay_task(settings: ServiceSettings, name: str) -> AsyncIterator[OutboxRelay]:
    await ensure_topics(settings, all_topics(settings.topic_prefix))
    engine = create_engine(settings.database_url, pool_size=2)
    producer = make_producer(settings)
    await producer.start()
    relay = OutboxRelay(engine, producer, name=name, batch_size=500, poll_seconds=0.2)
    task = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        relay.stop()
        await asyncio.wait_for(task, 10)
        await producer.stop()
        await engine.dispose()


def projector_task(settings: LedgerSettings) -> AbstractAsyncContextManager[None]:
    """The ledger's projector (``ledger projector``), in-process."""
    return consumer_task(settings, PROJECTOR)


@asynccontextmanager
async def consumer_task(settings: ServiceSettings, spec: ConsumerSpec) -> AsyncIterator[None]:
    """A service's own consumer (``<service> consume``, as its ConsumerSpec builds it), in-process."""
    await ensure_topics(settings, all_topics(settings.topic_prefix))
    runtime = spec.runtime(settings)
    consumer = spec.build(runtime)
    await consumer.consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        yield
    finally:
        consumer.stop()
        await asyncio.wait_for(task, 10)
        await stop_and_leave(consumer.consumer)
        await runtime.close()


def mdf_consumer_task(settings: MdfSettings) -> AbstractAsyncContextManager[None]:
    """The mdf service's consumer (the ledger feed: accruals, reversed accruals, tiers)."""
    return consumer_task(settings, LEDGER_FEED)


async def eventually(check, timeout: float = 30.0, interval: float = 0.05):  # type: ignore[no-untyped-def]
    """Poll ``check`` (an async callable) until it returns a truthy value or time runs out."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last value: {value!r}")
        await asyncio.sleep(interval)
