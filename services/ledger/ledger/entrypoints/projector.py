"""The projector process: the ledger's Kafka consumer group."""

from __future__ import annotations

from collections.abc import Sequence

from incentive_contracts import topics
from servicekit.consumer import Inbound, Rejection
from servicekit.runner import ConsumerSpec
from servicekit.unit_of_work import UnitOfWork

from ..adapters.store import SqlLedgerStore
from ..application.projector import Incoming, project
from ..bootstrap import SOURCE


class LedgerEventHandler:
    """servicekit EventHandler: consumed events → journal entries in the consumer's transaction. An
    event of a partner not enrolled yet waits (parked) for ``partner:{id}``."""

    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        by_id = {e.envelope.id: e for e in events}
        rejected = await project(
            SqlLedgerStore(uow), [Incoming(e.envelope.id, e.payload, e.envelope.time) for e in events]
        )
        return [Rejection(by_id[r.event_id], r.reason, r.waiting_for) for r in rejected]


PROJECTOR = ConsumerSpec(
    command="projector",
    help="Consume deal, engagement, MDF and governance events into the journal (scale with partitions).",
    source=SOURCE,
    topic=topics.LEDGER,
    consumes=(topics.REGISTRATION, topics.MDF, topics.GOVERNANCE),
    group=lambda settings: settings.consumer_group,
    handler=lambda runtime: LedgerEventHandler(),
    max_records=lambda settings: settings.projector_max_records,
)
