"""The insights consumer: one consumer group over every topic (registration, mdf, ledger and its own)
that keeps the read models up to date. Runs on servicekit's IdempotentConsumer (read-model writes,
inbox and offsets in one transaction), so a replay from offset 0 applies nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from incentive_contracts import topics
from servicekit.consumer import EventHandler, IdempotentConsumer, Inbound, Rejection
from servicekit.kafka import make_consumer
from servicekit.runner import ConsumerSpec
from servicekit.unit_of_work import UnitOfWork, UnitOfWorkFactory

from ..adapters.money_store import SqlMoneyWriter
from ..adapters.read_models import SqlReadModels
from ..application.money_projection import MoneyEvent, project_money
from ..application.projection import Consumed, project
from ..bootstrap import SOURCE
from ..config import InsightsSettings

CONSUMED_TOPICS = (topics.REGISTRATION, topics.MDF, topics.LEDGER, topics.INSIGHTS)


class ReadModelHandler(EventHandler):
    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        waiting = await project(SqlReadModels(uow.conn), [Consumed(e.payload, e.envelope.time) for e in events])
        deferred = {w.index for w in waiting}
        applied = [
            MoneyEvent(e.envelope.id, e.payload, e.envelope.time) for n, e in enumerate(events) if n not in deferred
        ]
        await project_money(SqlMoneyWriter(uow.conn), applied)
        return [Rejection(events[w.index], w.reason, w.waiting_for) for w in waiting]


def build_consumer(settings: InsightsSettings, uow_factory: UnitOfWorkFactory) -> IdempotentConsumer:
    return IdempotentConsumer(
        make_consumer(settings, settings.consumer_group),
        uow_factory,
        ReadModelHandler(),
        group_id=settings.consumer_group,
        topics=[topics.prefixed(t, settings.topic_prefix) for t in CONSUMED_TOPICS],
        dead_letter_topic=topics.prefixed(topics.DEAD_LETTER, settings.topic_prefix),
        max_records=settings.consumer_max_records,
        park_timeout=timedelta(seconds=settings.consumer_park_timeout_seconds),
        park_retry_seconds=settings.consumer_park_retry_seconds,
    )


READ_MODELS = ConsumerSpec(
    command="consume",
    help="Consume every topic (registration, mdf, ledger, insights) into the indicator read models.",
    source=SOURCE,
    topic=topics.INSIGHTS,
    build=build_consumer,
)
