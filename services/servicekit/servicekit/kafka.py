"""aiokafka producer/consumer factories and topic provisioning."""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from .settings import ServiceSettings

log = logging.getLogger(__name__)


def make_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    """acks=all always; the idempotent producer where the broker supports it (real Kafka)."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        acks="all",
        enable_idempotence=settings.kafka_idempotent_producer,
        linger_ms=5,
        max_batch_size=256 * 1024,
        max_request_size=4 * 1024 * 1024,
        request_timeout_ms=30000,
        retry_backoff_ms=200,
    )


def make_consumer(settings: ServiceSettings, group_id: str, **overrides: object) -> AIOKafkaConsumer:
    """A group member's client. Heartbeats go every second, or three times per session timeout where
    that is shorter (Kafka's rule: a member that misses a heartbeat or two keeps its partitions)."""
    override = overrides.get("session_timeout_ms")
    session_timeout_ms = override if isinstance(override, int) else settings.kafka_session_timeout_ms
    options: dict[str, object] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "max_partition_fetch_bytes": settings.kafka_max_partition_fetch_bytes,
        "fetch_max_bytes": settings.kafka_fetch_max_bytes,
        "session_timeout_ms": session_timeout_ms,
        "heartbeat_interval_ms": min(1000, session_timeout_ms // 3),
        "max_poll_interval_ms": 300000,
        "fetch_max_wait_ms": settings.kafka_fetch_max_wait_ms,
    }
    options.update(overrides)
    return AIOKafkaConsumer(**options)


async def ensure_topics(settings: ServiceSettings, topics: list[str], attempts: int = 30) -> None:
    """Create the topics if they do not exist (partitions and replication from settings)."""
    for attempt in range(attempts):
        admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [t for t in topics if t not in existing]
            if missing:
                await admin.create_topics(
                    [
                        NewTopic(
                            name=t,
                            num_partitions=settings.topic_partitions,
                            replication_factor=settings.topic_replication_factor,
                        )
                        for t in missing
                    ]
                )
            return
        except TopicAlreadyExistsError:
            return
        except Exception as exc:  # broker still starting
            if attempt == attempts - 1:
                raise
            log.info("waiting for Kafka to create topics: %s", exc)
            await asyncio.sleep(0.5)
        finally:
            await admin.close()
