"""The governance consumer: registration, mdf and ledger events feed commitment benefits (activity
facts, then the partners' benefits evaluated as of today), complete plan rituals that match them, add
won deals and MDF claims to the spot-audit population, and draft a plan for each new partner.
Runs on servicekit's IdempotentConsumer (effects, inbox and offsets in one transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from incentive_contracts import topics
from servicekit.consumer import EventHandler, IdempotentConsumer, Inbound, Rejection
from servicekit.kafka import make_consumer
from servicekit.runner import ConsumerSpec
from servicekit.unit_of_work import UnitOfWork, UnitOfWorkFactory

from ..adapters.unit import SqlGovernanceUnit
from ..application.activity_feed import Observed, apply_activity
from ..bootstrap import SOURCE
from ..config import GovernanceSettings
from ..domain.benefit_rules import RuleBook

CONSUMED = (topics.REGISTRATION, topics.MDF, topics.LEDGER)


class ActivityHandler(EventHandler):
    def __init__(self, book: RuleBook) -> None:
        self.book = book

    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        observed = [Observed(e.payload, e.envelope.time.date()) for e in events]
        await apply_activity(SqlGovernanceUnit(uow), observed, self.book)
        return []


def build_consumer(settings: GovernanceSettings, uow_factory: UnitOfWorkFactory) -> IdempotentConsumer:
    return IdempotentConsumer(
        make_consumer(settings, settings.consumer_group),
        uow_factory,
        ActivityHandler(settings.rule_book()),
        group_id=settings.consumer_group,
        topics=[topics.prefixed(t, settings.topic_prefix) for t in CONSUMED],
        dead_letter_topic=topics.prefixed(topics.DEAD_LETTER, settings.topic_prefix),
        max_records=settings.consumer_max_records,
        park_timeout=timedelta(seconds=settings.consumer_park_timeout_seconds),
        park_retry_seconds=settings.consumer_park_retry_seconds,
    )


ACTIVITY_FEED = ConsumerSpec(
    command="consume",
    help="Consume the registration, mdf and ledger topics: activity for commitment benefits, plan "
    "rituals, the spot-audit population and onboarding plans.",
    source=SOURCE,
    topic=topics.GOVERNANCE,
    build=build_consumer,
)
