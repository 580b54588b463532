"""Running a service's consumer in the background of a test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ..consumer import IdempotentConsumer
from .groups import stop_and_leave


@asynccontextmanager
async def in_background(consumer: IdempotentConsumer) -> AsyncIterator[IdempotentConsumer]:
    """The consumer joined to its group and applying events until the block ends; then stopped, its
    loop awaited (a failure in it fails the test) and its Kafka client closed (out of its group)."""
    await consumer.consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        yield consumer
    finally:
        consumer.stop()
        await task
        await stop_and_leave(consumer.consumer)
