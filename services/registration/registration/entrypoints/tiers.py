"""The consumer of the other services' topics: each partner's tier as the ledger's partner.tier_changed
reports it, the programs the ledger publishes (program.version_published), which partners may then
enrol into, and governance's failed spot audits of deals (governance.audit_item_failed), which
confirm the deal's flag."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from incentive_contracts import topics
from incentive_contracts.events.governance import GovernanceAuditItemFailed
from incentive_contracts.events.partner import PartnerTierChanged
from incentive_contracts.events.program import ProgramVersionPublished
from servicekit.consumer import Inbound, Rejection
from servicekit.container import ServiceRuntime
from servicekit.runner import ConsumerSpec
from servicekit.unit_of_work import UnitOfWork

from ..adapters.unit import SqlRegistrationUnit
from ..application.deals import fail_audit
from ..application.partners import apply_tier_changes, record_published_programs
from ..application.ports import RegistrationUnit
from ..bootstrap import SOURCE
from ..domain.errors import NotFound, RuleViolation
from ..domain.flag_review import FailAudit


class TierHandler:
    """Applies partner.tier_changed, program.version_published and failed deal audits; other events of
    the consumed topics have no effect here.

    A tier change of a partner registration does not know is invalid, not early: registration is
    where partners are enrolled, and the ledger only reviews tiers of partners enrolled there
    (dead-lettered, never parked). So is a failed audit of a deal registration does not hold (or of
    another partner's deal): governance samples the deals registration announced won."""

    def __init__(self, unit_of: Callable[[UnitOfWork], RegistrationUnit] = SqlRegistrationUnit) -> None:
        self.unit_of = unit_of

    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        programs = [e.payload for e in events if isinstance(e.payload, ProgramVersionPublished)]
        if programs:
            await record_published_programs(self.unit_of(uow), programs)
        rejected = await self._audits(uow, events)
        changes = [(e, e.payload) for e in events if isinstance(e.payload, PartnerTierChanged)]
        if not changes:
            return rejected
        unknown = await apply_tier_changes(self.unit_of(uow), [p for _, p in changes])
        unknown_ids = {id(p) for p in unknown}
        return [
            *rejected,
            *(Rejection(e, f"unknown partner {p.partner_id}") for e, p in changes if id(p) in unknown_ids),
        ]

    async def _audits(self, uow: UnitOfWork, events: Sequence[Inbound]) -> list[Rejection]:
        """Confirm the flag of every deal a spot audit failed (asking for it); the ones it cannot, rejected."""
        rejected: list[Rejection] = []
        for inbound in events:
            failed = inbound.payload
            if not (
                isinstance(failed, GovernanceAuditItemFailed)
                and failed.item_kind == "deal"
                and failed.flag_confirmation_requested
            ):
                continue
            command = FailAudit(
                failed.item_id,
                failed.partner_id,
                failed.audit_period,
                failed.failed_by,
                failed.failed_on,
                failed.reason,
            )
            try:
                await fail_audit(self.unit_of(uow), command)
            except (NotFound, RuleViolation) as exc:
                rejected.append(Rejection(inbound, f"{type(exc).__name__}: {exc}"))
        return rejected


def tier_handler(runtime: ServiceRuntime) -> TierHandler:
    """The handler on the runtime's clock."""
    return TierHandler(lambda uow: SqlRegistrationUnit(uow, runtime.clock))


TIER_CONSUMER = ConsumerSpec(
    command="consume",
    help="Consume the ledger and governance topics: partners' tiers, published programs, failed deal audits.",
    source=SOURCE,
    topic=topics.REGISTRATION,
    consumes=(topics.LEDGER, topics.GOVERNANCE),
    group=lambda settings: settings.ledger_consumer_group,
    handler=tier_handler,
)
