"""The ledger-feed consumer: ``ledger.mdf_accrued`` credits funds, ``partner.tier_changed`` sets
eligibility. Runs on servicekit's IdempotentConsumer (effects, inbox and offsets in one transaction).
"""

from __future__ import annotations

from collections.abc import Sequence

from incentive_contracts import topics
from servicekit.consumer import EventHandler, IdempotentConsumer, Inbound, Rejection
from servicekit.db import create_engine
from servicekit.kafka import make_consumer
from servicekit.runner import ConsumerSpec
from servicekit.unit_of_work import UnitOfWork, UnitOfWorkFactory

from ..adapters.unit import SqlMdfUnit
from ..application.ledger_feed import LedgerFact, apply_ledger_facts
from ..config import MdfSettings
from .api import SOURCE


class LedgerFeedHandler(EventHandler):
    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        facts = [LedgerFact(e.envelope.id, e.payload, e.envelope.time.date()) for e in events]
        refused = await apply_ledger_facts(SqlMdfUnit(uow), facts)
        by_id = {e.envelope.id: e for e in events}
        return [Rejection(by_id[r.event_id], r.reason) for r in refused]


def build_consumer(settings: MdfSettings, uow_factory: UnitOfWorkFactory) -> IdempotentConsumer:
    return IdempotentConsumer(
        make_consumer(settings, settings.consumer_group),
        uow_factory,
        LedgerFeedHandler(),
        group_id=settings.consumer_group,
        topics=[topics.prefixed(topics.LEDGER, settings.topic_prefix)],
        dead_letter_topic=topics.prefixed(topics.DEAD_LETTER, settings.topic_prefix),
        max_records=settings.consumer_max_records,
    )


def uow_factory_for(settings: MdfSettings, pool_size: int = 4) -> UnitOfWorkFactory:
    engine = create_engine(settings.database_url, pool_size=pool_size)
    return UnitOfWorkFactory(engine, source=SOURCE, topic=topics.prefixed(topics.MDF, settings.topic_prefix))


LEDGER_FEED = ConsumerSpec(
    command="consume",
    help="Consume the ledger topic: MDF accruals credit funds, tier changes drive eligibility.",
    source=SOURCE,
    topic=topics.MDF,
    build=build_consumer,
)
