"""The ledger-topic consumer: each partner's tier as the ledger's partner.tier_changed reports it, and
the programs the ledger publishes (program.version_published), which partners may then enrol into."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from incentive_contracts import topics
from incentive_contracts.events.partner import PartnerTierChanged
from incentive_contracts.events.program import ProgramVersionPublished
from servicekit.consumer import Inbound, Rejection
from servicekit.container import ServiceRuntime
from servicekit.runner import ConsumerSpec
from servicekit.unit_of_work import UnitOfWork

from ..adapters.unit import SqlRegistrationUnit
from ..application.partners import apply_tier_changes, record_published_programs
from ..application.ports import RegistrationUnit
from ..bootstrap import SOURCE


class TierHandler:
    """Applies partner.tier_changed and program.version_published; other ledger events have no effect here.

    A tier change of a partner registration does not know is invalid, not early: registration is
    where partners are enrolled, and the ledger only reviews tiers of partners enrolled there
    (dead-lettered, never parked)."""

    def __init__(self, unit_of: Callable[[UnitOfWork], RegistrationUnit] = SqlRegistrationUnit) -> None:
        self.unit_of = unit_of

    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        programs = [e.payload for e in events if isinstance(e.payload, ProgramVersionPublished)]
        if programs:
            await record_published_programs(self.unit_of(uow), programs)
        changes = [(e, e.payload) for e in events if isinstance(e.payload, PartnerTierChanged)]
        if not changes:
            return []
        unknown = await apply_tier_changes(self.unit_of(uow), [p for _, p in changes])
        unknown_ids = {id(p) for p in unknown}
        return [Rejection(e, f"unknown partner {p.partner_id}") for e, p in changes if id(p) in unknown_ids]


def tier_handler(runtime: ServiceRuntime) -> TierHandler:
    """The handler on the runtime's clock."""
    return TierHandler(lambda uow: SqlRegistrationUnit(uow, runtime.clock))


TIER_CONSUMER = ConsumerSpec(
    command="consume",
    help="Consume the ledger topic: partners' tiers (partner.tier_changed) and published programs.",
    source=SOURCE,
    topic=topics.REGISTRATION,
    consumes=(topics.LEDGER,),
    group=lambda settings: settings.ledger_consumer_group,
    handler=tier_handler,
)
