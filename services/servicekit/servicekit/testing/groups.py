"""Consumer groups in tests, on the embedded broker (Tansu 0.6).

Tansu answers a group's first JoinGroup after about half the session timeout (whole seconds, at
least one): 5 s at the services' default of 10 s, 2 s at 3 s, 1 s at ``SESSION_TIMEOUT_MS``. A test
waits for that every time a consumer starts, so the tests' consumers use the short timeout
(``make_consumer`` then heartbeats three times per timeout).

Tansu also numbers a group's first generation 0, and aiokafka leaves a group on ``stop()`` only from
a generation above 0: a member stopped in the first generation stays in the group until its session
times out, and the next member of that group waits for it (a restarted consumer: the timeout plus
two joins). ``stop_and_leave`` closes a member and then leaves its group for it.
"""

from __future__ import annotations

import contextlib

from aiokafka import AIOKafkaConsumer
from aiokafka.client import AIOKafkaClient, CoordinationType
from aiokafka.errors import KafkaError
from aiokafka.protocol.group import LeaveGroupRequest

SESSION_TIMEOUT_MS = 2000


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
