"""The insights consumer: one consumer group over every topic (registration, mdf, ledger and its own)
that keeps the read models up to date. Runs on servicekit's IdempotentConsumer (read-model writes,
inbox and offsets in one transaction), so a replay from offset 0 applies nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from incentive_contracts import topics
from servicekit.consumer import EventHandler, Inbound, Rejection
from servicekit.runner import ConsumerSpec
from servicekit.unit_of_work import UnitOfWork

from ..application.money_projection import MoneyEvent, project_money
from ..application.projection import Consumed, project
from ..bootstrap import SOURCE, money_writer, read_model_store

CONSUMED_TOPICS = (topics.REGISTRATION, topics.MDF, topics.LEDGER, topics.INSIGHTS)


class ReadModelHandler(EventHandler):
    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        waiting = await project(read_model_store(uow.conn), [Consumed(e.payload, e.envelope.time) for e in events])
        deferred = {w.index for w in waiting}
        applied = [
            MoneyEvent(e.envelope.id, e.payload, e.envelope.time) for n, e in enumerate(events) if n not in deferred
        ]
        await project_money(money_writer(uow.conn), applied)
        return [Rejection(events[w.index], w.reason, w.waiting_for) for w in waiting]


READ_MODELS = ConsumerSpec(
    command="consume",
    help="Consume every topic (registration, mdf, ledger, insights) into the indicator read models.",
    source=SOURCE,
    topic=topics.INSIGHTS,
    consumes=CONSUMED_TOPICS,
    group=lambda settings: settings.consumer_group,
    handler=lambda runtime: ReadModelHandler(),
    max_records=lambda settings: settings.consumer_max_records,
)
