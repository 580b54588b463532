"""stop_and_leave on the embedded broker: a member stopped in its group's first generation is out of
the group at once (aiokafka's own stop leaves it there until its session times out)."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from servicekit.kafka import ensure_topics, make_consumer
from servicekit.settings import ServiceSettings
from servicekit.testing.consumers import SESSION_TIMEOUT_MS, stop_and_leave


async def _joined(consumer: AIOKafkaConsumer) -> int:
    """Start the member and wait for its assignment; the generation it joined in."""
    await consumer.start()
    while not consumer.assignment():
        await asyncio.sleep(0.05)
    return int(consumer._coordinator.generation)  # type: ignore[union-attr]


async def _members(admin: AIOKafkaAdminClient, group: str) -> list[str]:
    [response] = await admin.describe_consumer_groups([group])
    [(_, _, _, _, _, members)] = response.groups
    return [member[0] for member in members]


async def test_a_member_stopped_in_the_first_generation_leaves_its_group(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    settings = ServiceSettings(kafka_bootstrap_servers=kafka_bootstrap, topic_partitions=2)
    topic = f"{topic_prefix}toy.groups"
    await ensure_topics(settings, [topic])
    # The plain member's session (6 s; its first join takes 3) outlasts the reading of the groups.
    plain = make_consumer(settings, f"{topic_prefix}plain", session_timeout_ms=6000)
    leaving = make_consumer(settings, f"{topic_prefix}leaving", session_timeout_ms=SESSION_TIMEOUT_MS)
    plain.subscribe([topic])
    leaving.subscribe([topic])
    assert await asyncio.gather(_joined(plain), _joined(leaving)) == [0, 0]  # Tansu's first generation
    plain_member = plain._coordinator.member_id  # type: ignore[union-attr]
    await plain.stop()
    await stop_and_leave(leaving)
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        assert await _members(admin, f"{topic_prefix}plain") == [plain_member]  # aiokafka's stop: still there
        assert await _members(admin, f"{topic_prefix}leaving") == []
    finally:
        await admin.close()
