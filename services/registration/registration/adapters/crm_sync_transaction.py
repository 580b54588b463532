"""The crm-sync worker's transaction: the application's ``CrmSyncTransaction`` over a servicekit unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from incentive_kernel.clock import SystemClock
from servicekit.unit_of_work import UnitOfWork

from ..application.crm_ports import CrmInbox, StagedEvent
from ..application.ports import Clock
from .crm_batch import SqlCrmBatch
from .unit import SqlRegistrationUnit


class SqlCrmSyncTransaction:
    """One unit of work of the crm-sync worker; whoever opened it commits it."""

    def __init__(self, uow: UnitOfWork, inbox: CrmInbox, clock: Clock | None = None) -> None:
        self.uow = uow
        self.inbox = inbox
        self.clock: Clock = clock or SystemClock()

    def one_by_one(self) -> SqlRegistrationUnit:
        return SqlRegistrationUnit(self.uow, self.clock)

    def batch(self) -> SqlCrmBatch:
        return SqlCrmBatch(self.uow.conn, self.clock)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        async with self.uow.conn.begin_nested():
            yield

    def publish(self, events: Sequence[StagedEvent]) -> None:
        for event, at, event_id in events:
            self.uow.publish(event, time=at, event_id=event_id)
