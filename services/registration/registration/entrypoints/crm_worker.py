"""``registration crm-sync``: applies stored CRM deliveries in arrival order, each exactly once.

One worker is active at a time (a PostgreSQL advisory lock elects it; others wait as hot
standbys), so deliveries about one CRM record apply in the order they arrived. A batch of inbox
rows is claimed with ``FOR UPDATE SKIP LOCKED`` and applied together (:mod:`..adapters.crm_batch`:
a few set-based reads, the same use cases in memory, bulk writes), in a savepoint; a delivery that
cannot even be read records its error and is left out. If anything else goes wrong while applying
the batch together, the savepoint is rolled back and the batch is applied one delivery at a time,
each in its own savepoint, so one that fails records its error and never undoes the others. The
rows' outcomes, the deals and the events commit together, and a crash re-processes only rows that
were never committed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from servicekit.elected import ElectedWorker
from servicekit.logging import log_fields
from servicekit.unit_of_work import UnitOfWork, UnitOfWorkFactory

from ..adapters import crm_batch
from ..adapters.crm_inbox import INBOX_CHANNEL, InboxDelivery, SqlCrmInbox
from ..adapters.unit import SqlRegistrationUnit, SystemClock
from ..application.crm_sync import Merges, Outcome, apply_changes, registrations_ahead
from ..application.ports import Clock
from ..crm_mappings import CrmMappings
from ..domain.crm import CrmChange, CrmMapping, crm_deal_id
from ..domain.policy import RegistrationPolicy

log = logging.getLogger(__name__)

DEFAULT_BATCH = 1000  # deliveries per transaction (REGISTRATION_CRM_SYNC_BATCH)


@dataclass
class DrainCounts:
    applied: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.applied + self.failed


@dataclass(frozen=True)
class CrmSync:
    """What applying a delivery needs: the field mappings, the registration policy, a clock."""

    mappings: CrmMappings
    policy: RegistrationPolicy
    clock: Clock | None = None


def first_claims(
    notifications: list[tuple[str, CrmChange]], fresh: set[tuple[str, str]]
) -> list[tuple[str, CrmChange]]:
    """The notifications that will be applied: the first occurrence of each id never seen before."""
    applying, claimed = [], set()
    for source, change in notifications:
        key = (source, change.delivery_id)
        if key in fresh and key not in claimed:
            claimed.add(key)
            applying.append((source, change))
    return applying


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    return {
        "status": "applied",
        "received": len(outcomes),
        "outcomes": [
            {
                "delivery_id": o.delivery_id,
                "record_id": o.record_id,
                "result": o.result,
                "detail": o.detail,
                "deal_id": o.deal_id,
            }
            for o in outcomes
        ],
    }


async def drain_batch(
    factory: UnitOfWorkFactory, sync: CrmSync, *, limit: int = DEFAULT_BATCH, together: bool = True
) -> DrainCounts:
    """Claim up to ``limit`` pending deliveries, apply them in id order, commit once.

    ``together`` applies the batch with a fixed number of statements (falling back to one delivery
    at a time if that fails); False applies it one delivery at a time from the start.
    """
    counts = DrainCounts()
    async with factory() as uow:
        inbox = SqlCrmInbox(uow.conn)
        claimed = await inbox.claim(limit)
        outcomes = await apply_together(uow, sync, claimed) if together and claimed else None
        if outcomes is None:
            outcomes = await apply_one_by_one(uow, sync, claimed)
        for outcome in outcomes.values():
            if outcome["status"] == "applied":
                counts.applied += 1
            else:
                counts.failed += 1
        await inbox.finish(outcomes)
        await uow.commit()
    return counts


async def apply_one_by_one(
    uow: UnitOfWork, sync: CrmSync, deliveries: list[InboxDelivery]
) -> dict[int, dict[str, Any]]:
    """Each delivery in its own savepoint, statement by statement."""
    unit = SqlRegistrationUnit(uow, sync.clock)
    return {delivery.id: await _apply(unit, sync, delivery) for delivery in deliveries}


async def _apply(unit: SqlRegistrationUnit, sync: CrmSync, delivery: InboxDelivery) -> dict[str, Any]:
    try:
        async with unit.atomically():  # a savepoint; events staged inside are dropped if it fails
            applied = await apply_changes(
                unit, delivery.source, delivery.changes(), sync.mappings.mapping(delivery.source), sync.policy
            )
    except Exception as exc:  # one bad delivery must not block the ones behind it
        return _failed(delivery, exc)
    return summary(applied)


def _failed(delivery: InboxDelivery, exc: Exception) -> dict[str, Any]:
    log.exception("crm delivery failed", extra=log_fields(source=delivery.source, delivery=delivery.delivery_id))
    return {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:1000]}


async def apply_together(
    uow: UnitOfWork, sync: CrmSync, deliveries: list[InboxDelivery]
) -> dict[int, dict[str, Any]] | None:
    """Apply the batch with a fixed number of statements; None (nothing changed) if that failed.

    The outcome of every delivery, every deal, record and event is what applying the deliveries
    one by one gives (the same use cases decide, on a unit holding the batch's state in memory).
    """
    clock = sync.clock or SystemClock()
    outcomes: dict[int, dict[str, Any]] = {}
    readable: list[tuple[InboxDelivery, list[CrmChange], CrmMapping]] = []
    for delivery in deliveries:
        try:  # what one by one would fail on before touching anything, in the same order
            changes = delivery.changes()
            mapping = sync.mappings.mapping(delivery.source)
        except Exception as exc:
            outcomes[delivery.id] = _failed(delivery, exc)
            continue
        readable.append((delivery, changes, mapping))
    state = crm_batch.BatchState()
    unit = crm_batch.BatchUnit(state, clock)
    try:
        async with uow.conn.begin_nested():
            notifications = [(d.source, c) for d, changes, _ in readable for c in changes]
            await crm_batch.new_notifications(uow.conn, state, notifications)
            applying = first_claims(notifications, state.fresh)
            await crm_batch.load_records(uow.conn, state, [(s, c.record_id) for s, c in applying])
            deal_ids = {
                record.deal_id if record is not None else crm_deal_id(source, record_id)
                for (source, record_id), record in state.records.items()
            }
            registered = await crm_batch.existing_deals(uow.conn, deal_ids)  # not locked yet
            mappings = {d.source: m for d, _, m in readable}
            merges = Merges()  # what the look ahead merges, the batch then applies without merging again
            ahead = registrations_ahead(
                dict(state.records),
                applying,
                mappings,
                {d: d in registered for d in deal_ids},
                clock.now(),
                merges,
            )
            # Customers before deals, as the API's award takes them: no lock cycle between the two.
            # A deal registered meanwhile is found by the locked read; it only made the look ahead
            # lock and load more than needed.
            await crm_batch.load_for_registrations(uow.conn, state, ahead, sync.policy)
            await crm_batch.load_deals(uow.conn, state, deal_ids)
            for delivery, changes, mapping in readable:
                outcomes[delivery.id] = summary(
                    await apply_changes(unit, delivery.source, changes, mapping, sync.policy, merges)
                )
            await crm_batch.flush(uow.conn, state)
    except (crm_batch.NotPrepared, crm_batch.ClaimLost) as exc:
        log.warning("crm batch: %s (%s); applying it one delivery at a time", type(exc).__name__, exc)
        return None
    except Exception:
        log.exception("applying a crm batch together failed; applying it one delivery at a time")
        return None
    for event, at, event_id in state.events:
        uow.publish(event, time=at, event_id=event_id)
    return outcomes


async def drain_crm_inbox(factory: UnitOfWorkFactory, sync: CrmSync, *, limit: int = DEFAULT_BATCH) -> DrainCounts:
    """Apply every pending delivery (batch after batch) and return how they went."""
    total = DrainCounts()
    while True:
        counts = await drain_batch(factory, sync, limit=limit)
        total.applied += counts.applied
        total.failed += counts.failed
        if counts.total < limit:
            return total


class CrmSyncWorker(ElectedWorker):
    def __init__(
        self, factory: UnitOfWorkFactory, sync: CrmSync, *, batch_size: int = DEFAULT_BATCH, poll_seconds: float = 1.0
    ) -> None:
        super().__init__(
            factory.engine,
            role="crm-sync",
            lock_name="registration:crm-sync",
            channel=INBOX_CHANNEL,
            batch_size=batch_size,
            poll_seconds=poll_seconds,
        )
        self.factory = factory
        self.sync = sync
        self.stats = DrainCounts()

    async def work_batch(self) -> int:
        counts = await drain_batch(self.factory, self.sync, limit=self.batch_size)
        self.stats.applied += counts.applied
        self.stats.failed += counts.failed
        return counts.total
