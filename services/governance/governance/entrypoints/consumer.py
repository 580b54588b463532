"""The governance consumer: registration, mdf and ledger events feed commitment benefits (activity
facts, then the partners' benefits evaluated), complete plan rituals that match them, add won deals
and MDF claims to the spot-audit population, and draft a plan for each new partner; every event a
webhook may carry (its own topic included) is queued for the subscriptions that want it.
Runs on servicekit's IdempotentConsumer (effects, inbox and offsets in one transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from incentive_contracts import topics
from pydantic import ValidationError
from servicekit.consumer import EventHandler, IdempotentConsumer, Inbound, Rejection
from servicekit.kafka import make_consumer
from servicekit.runner import ConsumerSpec
from servicekit.unit_of_work import UnitOfWork, UnitOfWorkFactory

from ..adapters.unit import SqlGovernanceUnit
from ..application.activity_feed import Observed, apply_event, evaluate_touched
from ..application.webhooks import offer
from ..bootstrap import SOURCE
from ..config import GovernanceSettings
from ..domain.benefit_rules import RuleBook
from ..domain.errors import DomainError
from ..domain.webhooks import SUBSCRIBABLE, Published

CONSUMED = (topics.REGISTRATION, topics.MDF, topics.LEDGER, topics.GOVERNANCE)


class ActivityHandler(EventHandler):
    def __init__(self, book: RuleBook) -> None:
        self.book = book

    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        """Each event in a savepoint: one that breaks a rule for good is dead-lettered with the reason,
        the others apply; then the partners whose activity changed are evaluated."""
        unit = SqlGovernanceUnit(uow)
        rejections: list[Rejection] = []
        touched: dict[str, date] = {}
        for e in events:
            on = e.envelope.time.date()
            try:
                async with uow.savepoint():
                    if await apply_event(unit, Observed(e.payload, on), self.book):
                        touched[e.payload.partner_id] = max(on, touched.get(e.payload.partner_id, on))
                    if e.envelope.type in SUBSCRIBABLE:
                        published = Published(e.envelope.id, e.envelope.type, e.payload.partner_id or None, e.raw)
                        await offer(unit, [published], e.envelope.time)
            except (DomainError, ValidationError) as exc:
                rejections.append(Rejection(e, f"governance cannot apply {e.envelope.type}: {exc}"[:1000]))
        await evaluate_touched(unit, self.book, touched)
        return rejections


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
    help="Consume the registration, mdf, ledger and governance topics: activity for commitment benefits, "
    "plan rituals, the spot-audit population, onboarding plans and webhook deliveries.",
    source=SOURCE,
    topic=topics.GOVERNANCE,
    build=build_consumer,
)
