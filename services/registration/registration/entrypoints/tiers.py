"""The ledger-topic consumer: shows each partner's tier as the ledger's partner.tier_changed reports it."""

from __future__ import annotations

from collections.abc import Sequence

from incentive_contracts import topics
from incentive_contracts.events.partner import PartnerTierChanged
from servicekit.consumer import IdempotentConsumer, Inbound, Rejection
from servicekit.db import create_engine
from servicekit.kafka import ensure_topics, make_consumer
from servicekit.logging import configure_logging
from servicekit.runner import all_topics, run_until_signalled
from servicekit.unit_of_work import UnitOfWork, UnitOfWorkFactory

from ..adapters.unit import SqlRegistrationUnit
from ..application.partners import apply_tier_changes
from ..config import RegistrationSettings

SOURCE = "/registration"


class TierHandler:
    """Applies partner.tier_changed; every other ledger event is consumed without effect."""

    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        changes = [(e, e.payload) for e in events if isinstance(e.payload, PartnerTierChanged)]
        if not changes:
            return []
        unknown = await apply_tier_changes(SqlRegistrationUnit(uow), [p for _, p in changes])
        unknown_ids = {id(p) for p in unknown}
        return [Rejection(e, f"unknown partner {p.partner_id}") for e, p in changes if id(p) in unknown_ids]


def tier_consumer(
    settings: RegistrationSettings, uow_factory: UnitOfWorkFactory, **overrides: object
) -> IdempotentConsumer:
    return IdempotentConsumer(
        make_consumer(settings, settings.ledger_consumer_group, **overrides),
        uow_factory,
        TierHandler(),
        group_id=settings.ledger_consumer_group,
        topics=[topics.prefixed(topics.LEDGER, settings.topic_prefix)],
        dead_letter_topic=topics.prefixed(topics.DEAD_LETTER, settings.topic_prefix),
    )


async def run_tier_consumer(settings: RegistrationSettings) -> None:
    configure_logging("registration-consumer", settings.log_level)
    await ensure_topics(settings, all_topics(settings.topic_prefix))
    engine = create_engine(settings.database_url, pool_size=2)
    factory = UnitOfWorkFactory(
        engine, source=SOURCE, topic=topics.prefixed(topics.REGISTRATION, settings.topic_prefix)
    )
    consumer = tier_consumer(settings, factory)
    await consumer.consumer.start()
    try:
        await run_until_signalled(consumer, consumer.run)
    finally:
        await consumer.consumer.stop()
        await engine.dispose()
