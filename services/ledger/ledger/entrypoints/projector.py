"""The projector process: the ledger's Kafka consumer group."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from incentive_contracts import topics
from servicekit.consumer import IdempotentConsumer, Inbound, Rejection
from servicekit.kafka import make_consumer
from servicekit.runner import ConsumerSpec
from servicekit.unit_of_work import UnitOfWork, UnitOfWorkFactory

from ..adapters.store import SqlLedgerStore
from ..application.projector import Incoming, project
from ..bootstrap import SOURCE
from ..config import LedgerSettings


class LedgerEventHandler:
    """servicekit EventHandler: consumed events → journal entries in the consumer's transaction. An
    event of a partner not enrolled yet waits (parked) for ``partner:{id}``."""

    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        by_id = {e.envelope.id: e for e in events}
        rejected = await project(
            SqlLedgerStore(uow), [Incoming(e.envelope.id, e.payload, e.envelope.time) for e in events]
        )
        return [Rejection(by_id[r.event_id], r.reason, r.waiting_for) for r in rejected]


def consumed_topics(prefix: str) -> list[str]:
    return [topics.prefixed(topics.REGISTRATION, prefix), topics.prefixed(topics.MDF, prefix)]


def build_consumer(settings: LedgerSettings, uow_factory: UnitOfWorkFactory) -> IdempotentConsumer:
    return IdempotentConsumer(
        make_consumer(settings, settings.consumer_group),
        uow_factory,
        LedgerEventHandler(),
        group_id=settings.consumer_group,
        topics=consumed_topics(settings.topic_prefix),
        dead_letter_topic=topics.prefixed(topics.DEAD_LETTER, settings.topic_prefix),
        max_records=settings.projector_max_records,
        park_timeout=timedelta(seconds=settings.consumer_park_timeout_seconds),
        park_retry_seconds=settings.consumer_park_retry_seconds,
    )


PROJECTOR = ConsumerSpec(
    command="projector",
    help="Consume deal, engagement and MDF events into the journal (scale with partitions).",
    source=SOURCE,
    topic=topics.LEDGER,
    build=build_consumer,
)
