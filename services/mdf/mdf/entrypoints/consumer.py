"""The mdf consumer: the ledger feed (``ledger.mdf_accrued`` credits funds, ``partner.tier_changed``
sets eligibility), the partner directory (registration's partner events) and governance's spot audits
(a failed MDF claim gives back what it was paid; other governance events are ignored). A ledger fact about a
partner whose enrolment has not arrived yet waits for it (parked: the two topics are not ordered).
Runs on servicekit's IdempotentConsumer (effects, inbox and offsets in one transaction).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from incentive_contracts import topics
from incentive_contracts.events.governance import GovernanceAuditItemFailed
from incentive_contracts.events.ledger import LedgerMdfAccrualReversed, LedgerMdfAccrued
from incentive_contracts.events.partner import PartnerTierChanged
from servicekit.consumer import EventHandler, Inbound, Rejection
from servicekit.container import ServiceRuntime
from servicekit.runner import ConsumerSpec
from servicekit.unit_of_work import UnitOfWork

from ..adapters.unit import SqlMdfUnit
from ..application.audits import concerns_mdf, fail_claim_audit
from ..application.ledger_feed import LedgerFact, apply_ledger_facts
from ..application.partner_directory import PARTNER_EVENTS, apply_partner_events
from ..application.ports import MdfUnit
from ..bootstrap import SOURCE
from ..domain.errors import NotFound

# Ledger facts about a partner: they wait until the partner directory knows it.
NEEDS_PARTNER = (LedgerMdfAccrued, LedgerMdfAccrualReversed, PartnerTierChanged)


class LedgerFeedHandler(EventHandler):
    def __init__(self, unit_of: Callable[[UnitOfWork], MdfUnit] = SqlMdfUnit) -> None:
        self.unit_of = unit_of

    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        unit = self.unit_of(uow)
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
        rejections += [Rejection(by_id[r.event_id], r.reason) for r in refused]
        return rejections + await _apply_audits(unit, [e for e in feed if concerns_mdf(e.payload)])


async def _apply_audits(unit: MdfUnit, audits: Sequence[Inbound]) -> list[Rejection]:
    """Failed claim audits, in topic order; a claim the service does not hold is refused."""
    rejections: list[Rejection] = []
    for event in audits:
        assert isinstance(event.payload, GovernanceAuditItemFailed)
        try:
            await fail_claim_audit(unit, event.payload)
        except NotFound as exc:
            rejections.append(Rejection(event, f"NotFound: {exc}"))
    return rejections


def _early(event: Inbound) -> Rejection:
    partner_id = event.payload.partner_id
    return Rejection(event, f"partner {partner_id} is not known to the mdf service yet", f"partner:{partner_id}")


def ledger_feed_handler(runtime: ServiceRuntime) -> LedgerFeedHandler:
    """The handler on the runtime's clock."""
    return LedgerFeedHandler(lambda uow: SqlMdfUnit(uow, runtime.clock))


LEDGER_FEED = ConsumerSpec(
    command="consume",
    help="Consume the ledger topic (MDF accruals credit funds, tier changes drive eligibility), the "
    "registration topic (the partners allocations may go to) and the governance topic (failed claim audits).",
    source=SOURCE,
    topic=topics.MDF,
    consumes=(topics.LEDGER, topics.REGISTRATION, topics.GOVERNANCE),
    group=lambda settings: settings.consumer_group,
    handler=ledger_feed_handler,
    max_records=lambda settings: settings.consumer_max_records,
)
