"""Draining the CRM inbox: claim a batch of deliveries, apply them together, fall back one by one.

A batch of pending deliveries is applied together (:func:`apply_together`: a few set-based reads
locked in the API's order, the same use cases deciding in memory, bulk writes) inside a savepoint.
A delivery that cannot even be read records its error and is left out. If anything else goes
wrong while applying the batch together, the savepoint is rolled back and the batch is applied
one delivery at a time (:func:`apply_one_by_one`), each in its own savepoint, so one that fails
records its error and never undoes the others. Either way every delivery, deal, record and event
ends up exactly as applying the deliveries one by one leaves them; the caller commits the rows'
outcomes, the deals and the events together.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from servicekit.logging import log_fields

from ..domain.crm import CrmChange, CrmMapping, crm_deal_id
from ..domain.policy import RegistrationPolicy
from .crm_changes import Merges, Outcome, apply_changes, registrations_ahead
from .crm_ports import BatchNotApplicable, CrmBatch, CrmMappings, CrmSyncTransaction, Notification, PendingDelivery
from .ports import Clock, RegistrationUnit

log = logging.getLogger(__name__)

DEFAULT_BATCH = 2000  # deliveries per transaction (REGISTRATION_CRM_SYNC_BATCH)

Readable = tuple[PendingDelivery, list[CrmChange], CrmMapping]


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


async def drain(
    tx: CrmSyncTransaction, sync: CrmSync, *, limit: int = DEFAULT_BATCH, together: bool = True
) -> DrainCounts:
    """Claim up to ``limit`` pending deliveries, apply them in id order and record their outcomes.

    ``together`` applies the batch with a fixed number of statements (falling back to one delivery
    at a time if that fails); False applies it one delivery at a time from the start.
    """
    counts = DrainCounts()
    claimed = list(await tx.inbox.claim(limit))
    outcomes = await apply_together(tx, sync, claimed) if together and claimed else None
    if outcomes is None:
        outcomes = await apply_one_by_one(tx, sync, claimed)
    for outcome in outcomes.values():
        if outcome["status"] == "applied":
            counts.applied += 1
        else:
            counts.failed += 1
    await tx.inbox.finish(outcomes)
    return counts


def first_claims(notifications: Sequence[Notification], fresh: set[tuple[str, str]]) -> list[Notification]:
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


async def apply_one_by_one(
    tx: CrmSyncTransaction, sync: CrmSync, deliveries: Sequence[PendingDelivery]
) -> dict[int, dict[str, Any]]:
    """Each delivery in its own savepoint, statement by statement."""
    unit = tx.one_by_one()
    return {delivery.id: await _apply(tx, unit, sync, delivery) for delivery in deliveries}


async def _apply(
    tx: CrmSyncTransaction, unit: RegistrationUnit, sync: CrmSync, delivery: PendingDelivery
) -> dict[str, Any]:
    try:
        async with unit.atomically():  # a savepoint; events staged inside are dropped if it fails
            applied = await apply_changes(
                unit, delivery.source, delivery.changes(), sync.mappings.mapping(delivery.source), sync.policy
            )
    except Exception as exc:  # one bad delivery must not block the ones behind it
        if tx.transient(exc):  # but a deadlock is not the delivery's fault: the transaction is retried
            raise
        return _failed(delivery, exc)
    return summary(applied)


def _failed(delivery: PendingDelivery, exc: Exception) -> dict[str, Any]:
    log.exception("crm delivery failed", extra=log_fields(source=delivery.source, delivery=delivery.delivery_id))
    return {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:1000]}


async def apply_together(
    tx: CrmSyncTransaction, sync: CrmSync, deliveries: Sequence[PendingDelivery]
) -> dict[int, dict[str, Any]] | None:
    """Apply the batch with a fixed number of statements; None (nothing changed) if that failed.

    The outcome of every delivery, every deal, record and event is what applying the deliveries
    one by one gives (the same use cases decide, on a unit holding the batch's state in memory).
    """
    outcomes: dict[int, dict[str, Any]] = {}
    readable = _readable(sync, deliveries, outcomes)
    batch = tx.batch()
    try:
        async with tx.savepoint():
            merges = await _prepare(tx, sync, batch, readable)
            for delivery, changes, mapping in readable:
                outcomes[delivery.id] = summary(
                    await apply_changes(batch.unit, delivery.source, changes, mapping, sync.policy, merges)
                )
            await batch.flush()
    except BatchNotApplicable as exc:
        log.warning("crm batch: %s (%s); applying it one delivery at a time", type(exc).__name__, exc)
        return None
    except Exception as exc:
        if tx.transient(exc):
            raise
        log.exception("applying a crm batch together failed; applying it one delivery at a time")
        return None
    tx.publish(batch.events)
    return outcomes


def _readable(
    sync: CrmSync, deliveries: Sequence[PendingDelivery], outcomes: dict[int, dict[str, Any]]
) -> list[Readable]:
    """The deliveries that can be read, with their changes and mapping; the others fail here
    (what one by one would fail on before touching anything, in the same order)."""
    readable: list[Readable] = []
    for delivery in deliveries:
        try:
            changes = delivery.changes()
            mapping = sync.mappings.mapping(delivery.source)
        except Exception as exc:
            outcomes[delivery.id] = _failed(delivery, exc)
            continue
        readable.append((delivery, changes, mapping))
    return readable


async def _prepare(tx: CrmSyncTransaction, sync: CrmSync, batch: CrmBatch, readable: list[Readable]) -> Merges:
    """Lock and load everything the batch will read; returns the merges the look ahead worked out
    (the batch then applies them without merging again)."""
    notifications = [(d.source, c) for d, changes, _ in readable for c in changes]
    applying = first_claims(notifications, await batch.new_notifications(notifications))
    records = await batch.load_records([(s, c.record_id) for s, c in applying])
    deal_ids = {
        record.deal_id if record is not None else crm_deal_id(source, record_id)
        for (source, record_id), record in records.items()
    }
    registered = await batch.existing_deals(deal_ids)  # not locked yet
    merges = Merges()
    ahead = registrations_ahead(
        dict(records),
        applying,
        {d.source: m for d, _, m in readable},
        {d: d in registered for d in deal_ids},
        tx.clock.now(),
        merges,
    )
    # Customers before deals, as the API's award takes them: no lock cycle between the two.
    # A deal registered meanwhile is found by the locked read; it only made the look ahead
    # lock and load more than needed.
    await batch.load_for_registrations(ahead, sync.policy)
    await batch.load_deals(deal_ids)
    return merges
