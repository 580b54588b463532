"""The mdf consumer: the ledger feed (``ledger.mdf_accrued`` credits funds, ``partner.tier_changed``
sets eligibility) and the partner directory (registration's partner events). A ledger fact about a
partner whose enrolment has not arrived yet waits for it (parked: the two topics are not ordered).
Runs on servicekit's IdempotentConsumer (effects, inbox and offsets in one transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from incentive_contracts import topics
from incentive_contracts.events.ledger import LedgerMdfAccrualReversed, LedgerMdfAccrued
from incentive_contracts.events.partner import PartnerTierChanged
from servicekit.consumer import EventHandler, IdempotentConsumer, Inbound, Rejection
from servicekit.db import create_engine
from servicekit.kafka import make_consumer
from servicekit.runner import ConsumerSpec
from servicekit.unit_of_work import UnitOfWork, UnitOfWorkFactory

from ..adapters.unit import SqlMdfUnit
from ..application.ledger_feed import LedgerFact, apply_ledger_facts
from ..application.partner_directory import PARTNER_EVENTS, apply_partner_events
from ..config import MdfSettings
from .api import SOURCE

# Ledger facts about a partner: they wait until the partner directory knows it.
NEEDS_PARTNER = (LedgerMdfAccrued, LedgerMdfAccrualReversed, PartnerTierChanged)


class LedgerFeedHandler(EventHandler):
    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        unit = SqlMdfUnit(uow)
        partner_events = [e for e in events if isinstance(e.payload, PARTNER_EVENTS)]
        waiting = await apply_partner_events(unit.partners, [e.payload for e in partner_events])
        rejections = [_early(partner_events[w.index]) for w in waiting]
        feed = [e for e in events if not isinstance(e.payload, PARTNER_EVENTS)]
        known = await unit.partners.known([e.payload.partner_id for e in feed if isinstance(e.payload, NEEDS_PARTNER)])
        early = {
            e.envelope.id for e in feed if isinstance(e.payload, NEEDS_PARTNER) and e.payload.partner_id not in known
        }
        rejections += [_early(e) for e in feed if e.envelope.id in early]
        facts = [
            LedgerFact(e.envelope.id, e.payload, e.envelope.time.date()) for e in feed if e.envelope.id not in early
        ]
        refused = await apply_ledger_facts(unit, facts)
        by_id = {e.envelope.id: e for e in events}
        return rejections + [Rejection(by_id[r.event_id], r.reason) for r in refused]


def _early(event: Inbound) -> Rejection:
    partner_id = event.payload.partner_id
    return Rejection(event, f"partner {partner_id} is not known to the mdf service yet", f"partner:{partner_id}")


def build_consumer(settings: MdfSettings, uow_factory: UnitOfWorkFactory) -> IdempotentConsumer:
    return IdempotentConsumer(
        make_consumer(settings, settings.consumer_group),
        uow_factory,
        LedgerFeedHandler(),
        group_id=settings.consumer_group,
        topics=[topics.prefixed(t, settings.topic_prefix) for t in (topics.LEDGER, topics.REGISTRATION)],
        dead_letter_topic=topics.prefixed(topics.DEAD_LETTER, settings.topic_prefix),
        max_records=settings.consumer_max_records,
        park_timeout=timedelta(seconds=settings.consumer_park_timeout_seconds),
        park_retry_seconds=settings.consumer_park_retry_seconds,
    )


def uow_factory_for(settings: MdfSettings, pool_size: int = 4) -> UnitOfWorkFactory:
    engine = create_engine(settings.database_url, pool_size=pool_size)
    return UnitOfWorkFactory(engine, source=SOURCE, topic=topics.prefixed(topics.MDF, settings.topic_prefix))


LEDGER_FEED = ConsumerSpec(
    command="consume",
    help="Consume the ledger topic (MDF accruals credit funds, tier changes drive eligibility) and the "
    "registration topic (the partners allocations may go to).",
    source=SOURCE,
    topic=topics.MDF,
    build=build_consumer,
)
