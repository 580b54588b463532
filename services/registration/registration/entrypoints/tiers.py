"""The ledger-topic consumer: each partner's tier as the ledger's partner.tier_changed reports it, and
the programs the ledger publishes (program.version_published), which partners may then enrol into."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from incentive_contracts import topics
from incentive_contracts.events.partner import PartnerTierChanged
from incentive_contracts.events.program import ProgramVersionPublished
from servicekit.consumer import IdempotentConsumer, Inbound, Rejection
from servicekit.kafka import make_consumer
from servicekit.runner import ConsumerSpec
from servicekit.unit_of_work import UnitOfWork, UnitOfWorkFactory

from ..adapters.unit import SqlRegistrationUnit
from ..application.partners import apply_tier_changes, record_published_programs
from ..config import RegistrationSettings

SOURCE = "/registration"


class TierHandler:
    """Applies partner.tier_changed and program.version_published; other ledger events have no effect here.

    A tier change of a partner registration does not know is invalid, not early: registration is
    where partners are enrolled, and the ledger only reviews tiers of partners enrolled there
    (dead-lettered, never parked)."""

    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        programs = [e.payload for e in events if isinstance(e.payload, ProgramVersionPublished)]
        if programs:
            await record_published_programs(SqlRegistrationUnit(uow), programs)
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
        park_timeout=timedelta(seconds=settings.consumer_park_timeout_seconds),
        park_retry_seconds=settings.consumer_park_retry_seconds,
    )


TIER_CONSUMER = ConsumerSpec(
    command="consume",
    help="Consume the ledger topic: partners' tiers (partner.tier_changed) and published programs.",
    source=SOURCE,
    topic=topics.REGISTRATION,
    build=tier_consumer,
)
