"""Consumers in tests, on the embedded broker (Tansu 0.6).

Tansu answers a group's first JoinGroup after about half the session timeout (whole seconds, at
least one): 5 s at the services' default of 10 s, 1 s at 2 s. It answers a fetch only when its
wait is over, even when records arrived meanwhile, so each hop of an event (relay, broker,
consumer) takes up to the fetch wait (500 ms by default). Every test waits for both, many times:
the tests' consumers run with ``TEST_CONSUMERS`` (``make_consumer`` heartbeats three times per
session timeout, so the short one is safe).

Tansu also numbers a group's first generation 0, and aiokafka leaves a group on ``stop()`` only from
a generation above 0: a member stopped in the first generation stays in the group until its session
times out, and the next member of that group waits for it (a restarted consumer: the timeout plus
two joins). ``stop_and_leave`` closes a member and then leaves its group for it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer
from aiokafka.client import AIOKafkaClient, CoordinationType
from aiokafka.errors import KafkaError
from aiokafka.protocol.group import LeaveGroupRequest

from ..consumer import IdempotentConsumer

SESSION_TIMEOUT_MS = 2000
FETCH_MAX_WAIT_MS = 100
# The settings of the tests' services and toys that consume (``model_copy(update=...)`` or ``**``).
TEST_CONSUMERS = {"kafka_session_timeout_ms": SESSION_TIMEOUT_MS, "kafka_fetch_max_wait_ms": FETCH_MAX_WAIT_MS}


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


async def stop_and_leave(client: AIOKafkaConsumer) -> None:
    """``client.stop()``, and a LeaveGroup for the member where aiokafka sends none (generation 0)."""
    coordinator = getattr(client, "_coordinator", None)
    group = getattr(coordinator, "group_id", None)
    member = getattr(coordinator, "member_id", "")
    first_generation = getattr(coordinator, "generation", None) == 0
    await client.stop()
    if group and member and first_generation:
        await leave_group(client._client._bootstrap_servers, group, member)


async def leave_group(bootstrap: object, group: str, member: str) -> None:
    """Ask the group's coordinator to drop ``member`` (best effort: a member already gone is fine)."""
    kafka = AIOKafkaClient(bootstrap_servers=bootstrap)
    try:
        await kafka.bootstrap()
        node = await kafka.coordinator_lookup(CoordinationType.GROUP, group)
        with contextlib.suppress(KafkaError):
            await kafka.send(node, LeaveGroupRequest(group, member))
    finally:
        await kafka.close()
