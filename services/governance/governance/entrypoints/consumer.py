"""The governance consumer: registration, mdf and ledger events feed commitment benefits (activity
facts, then the partners' benefits evaluated), complete plan rituals that match them, add won deals
and MDF claims to the spot-audit population, draft a plan for each new partner, and keep the program
versions the ledger announces (their commitment rules and spot-audit rate); every event a
webhook may carry (its own topic included) is queued for the subscriptions that want it.
Runs on servicekit's IdempotentConsumer (effects, inbox and offsets in one transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from incentive_contracts import topics
from incentive_contracts.events.program import ProgramVersionPublished
from incentive_kernel.clock import Clock
from pydantic import ValidationError
from servicekit.consumer import EventHandler, Inbound, Rejection
from servicekit.runner import ConsumerSpec
from servicekit.unit_of_work import UnitOfWork

from ..application.activity_feed import Observed, apply_event, evaluate_touched
from ..application.program_terms import rule_book
from ..application.webhooks import offer
from ..bootstrap import SOURCE, governance_unit
from ..domain.errors import DomainError
from ..domain.webhooks import SUBSCRIBABLE, Published

CONSUMED = (topics.REGISTRATION, topics.MDF, topics.LEDGER, topics.GOVERNANCE)


class ActivityHandler(EventHandler):
    def __init__(self, clock: Clock) -> None:
        self.clock = clock  # the unit's; the rules read each event's envelope day, never the clock

    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        """Each event in a savepoint: one that breaks a rule for good is dead-lettered with the reason,
        the others apply; then the partners whose activity changed are evaluated. The program's terms
        are read once per batch, and again after the batch brings a new program version."""
        unit = governance_unit(uow, self.clock)
        book = await rule_book(unit)
        rejections: list[Rejection] = []
        touched: dict[str, date] = {}
        for e in events:
            on = e.envelope.time.date()
            try:
                async with uow.savepoint():
                    if await apply_event(unit, Observed(e.payload, on), book):
                        touched[e.payload.partner_id] = max(on, touched.get(e.payload.partner_id, on))
                    if e.envelope.type in SUBSCRIBABLE:
                        published = Published(e.envelope.id, e.envelope.type, e.payload.partner_id or None, e.raw)
                        await offer(unit, [published], e.envelope.time)
                    if isinstance(e.payload, ProgramVersionPublished):
                        book = await rule_book(unit)
            except (DomainError, ValidationError) as exc:
                rejections.append(Rejection(e, f"governance cannot apply {e.envelope.type}: {exc}"[:1000]))
        await evaluate_touched(unit, book, touched)
        return rejections


ACTIVITY_FEED = ConsumerSpec(
    command="consume",
    help="Consume the registration, mdf, ledger and governance topics: activity for commitment benefits, "
    "plan rituals, the spot-audit population, onboarding plans, program versions (commitment rules and "
    "spot-audit rate) and webhook deliveries.",
    source=SOURCE,
    topic=topics.GOVERNANCE,
    consumes=CONSUMED,
    group=lambda settings: settings.consumer_group,
    handler=lambda runtime: ActivityHandler(runtime.clock),
    max_records=lambda settings: settings.consumer_max_records,
)
