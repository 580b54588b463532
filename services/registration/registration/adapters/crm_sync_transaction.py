"""The crm-sync worker's transaction: the application's ``CrmSyncTransaction`` over a servicekit unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from incentive_kernel.clock import SystemClock
from servicekit.unit_of_work import UnitOfWork
from sqlalchemy.exc import DBAPIError

from ..application.crm_ports import CrmInbox, StagedEvent
from ..application.ports import Clock
from .crm_batch import SqlCrmBatch
from .unit import SqlRegistrationUnit

# Errors that say nothing about the delivery, only about concurrent transactions: deadlock
# detected, serialization failure, lock not available. The transaction is retried whole.
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})


def is_transient(exc: BaseException) -> bool:
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    return (getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)) in TRANSIENT_SQLSTATES


class SqlCrmSyncTransaction:
    """One unit of work of the crm-sync worker; whoever opened it commits it."""

    def __init__(self, uow: UnitOfWork, inbox: CrmInbox, clock: Clock | None = None) -> None:
        self.uow = uow
        self.inbox = inbox
        self.clock: Clock = clock or SystemClock()
        self._encoded: dict[str, bytes] = {}  # the last batch's payloads' JSON by event id (its flush made them)

    def one_by_one(self) -> SqlRegistrationUnit:
        return SqlRegistrationUnit(self.uow, self.clock)

    def batch(self) -> SqlCrmBatch:
        batch = SqlCrmBatch(self.uow.conn, self.clock)
        self._encoded = batch.state.encoded  # its flush fills it; the events it publishes take theirs
        return batch

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        async with self.uow.conn.begin_nested():
            yield

    def transient(self, exc: Exception) -> bool:
        return is_transient(exc)

    def publish(self, events: Sequence[StagedEvent]) -> None:
        for event, at, event_id in events:
            self.uow.publish(event, time=at, event_id=event_id, data_json=self._encoded.get(event_id))
