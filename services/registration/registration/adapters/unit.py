"""The application's RegistrationUnit over a servicekit unit of work."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from incentive_contracts.payload import EventPayload
from incentive_kernel.clock import SystemClock
from servicekit.unit_of_work import UnitOfWork
from sqlalchemy import text

from ..application.crm_ports import StagedEvent
from ..application.ports import Clock
from ..domain.identity import CustomerIdentity
from .crm_repo import SqlCrmRecords
from .deals_repo import COPY_FROM_ROWS, SqlDeals, SqlDirectDeals
from .engagements_repo import SqlEngagements
from .held_events import HeldEvents, history_entries, history_rows
from .held_events import event_ids as event_ids  # re-exported: where callers have known it
from .partners_repo import SqlPartners
from .programs_repo import DEFAULT_BUILTIN_PROGRAMS, SqlPrograms

CUSTOMER_LOCK_SPACE = 7_303  # bucketed customer locks (7_301 held one lock per key)
CUSTOMER_LOCK_BUCKETS = 256
CRM_LOCK_SPACE = 7_304  # bucketed CRM record locks (7_302 held one lock per record)
CRM_LOCK_BUCKETS = 1024


def customer_lock_buckets(identities: Iterable[CustomerIdentity]) -> list[int]:
    """The lock buckets of these customers, sorted (the one global order every transaction takes them in)."""
    return sorted({zlib.crc32(k.encode()) % CUSTOMER_LOCK_BUCKETS for i in identities for k in i.lock_keys})


def crm_lock_bucket(source: str, record_id: str) -> int:
    return zlib.crc32(f"{source}:{record_id}".encode()) % CRM_LOCK_BUCKETS


class SqlLocks:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def lock_customers(self, identities: Iterable[CustomerIdentity]) -> None:
        # Keys map to a bounded set of lock buckets: a 5,000-deal batch holds at most
        # CUSTOMER_LOCK_BUCKETS locks instead of ~10,000 (PostgreSQL's shared lock table holds
        # max_locks_per_transaction x max_connections, 6,400 by default). Two registrations of one
        # customer always share a bucket; unrelated customers only rarely wait on each other.
        buckets = customer_lock_buckets(identities)
        # unnest yields the array in order, so every transaction takes its locks in one global order.
        await self.conn.execute(
            text("SELECT pg_advisory_xact_lock(:space, b) FROM unnest(CAST(:buckets AS int[])) AS b"),
            {"space": CUSTOMER_LOCK_SPACE, "buckets": buckets},
        )

    async def lock_crm_record(self, source: str, record_id: str) -> None:
        await self.conn.execute(
            text("SELECT pg_advisory_xact_lock(:space, :bucket)"),
            {"space": CRM_LOCK_SPACE, "bucket": crm_lock_bucket(source, record_id)},
        )

    async def lock_crm_buckets(self, buckets: Iterable[int]) -> None:
        """Many CRM records' locks in one statement, in bucket order. Records map to a bounded set of
        buckets, so a batch of deliveries with up to 100 notifications each holds at most
        CRM_LOCK_BUCKETS locks (PostgreSQL's shared lock table is finite); two records rarely share one."""
        await self.conn.execute(
            text("SELECT pg_advisory_xact_lock(:space, b) FROM unnest(CAST(:buckets AS int[])) AS b"),
            {"space": CRM_LOCK_SPACE, "buckets": sorted(set(buckets))},
        )


class SqlRegistrationUnit:
    def __init__(
        self, uow: UnitOfWork, clock: Clock | None = None, builtin_programs: Iterable[str] = DEFAULT_BUILTIN_PROGRAMS
    ) -> None:
        self.uow = uow
        self.partners = SqlPartners(uow.conn)
        self.programs = SqlPrograms(uow.conn, builtin_programs)
        self.deals = SqlDeals(uow.conn)
        self.direct_deals = SqlDirectDeals(uow.conn)
        self.engagements = SqlEngagements(uow.conn)
        self.crm = SqlCrmRecords(uow.conn)
        self.locks = SqlLocks(uow.conn)
        self.clock: Clock = clock or SystemClock()
        self._events = HeldEvents(self._publish)

    def _publish(self, staged: StagedEvent) -> None:
        event, at, event_id = staged
        self.uow.publish(event, time=at, event_id=event_id)

    async def emit(self, events: Sequence[EventPayload], *, actor: str | None = None) -> None:
        staged = self._events.stage(events, self.clock.now())
        # Many events (a bulk registration): history goes in by COPY, which takes the JSON as text.
        as_text = len(events) >= COPY_FROM_ROWS
        await self.deals.record_history(history_rows(history_entries(staged, actor), as_text=as_text))

    @asynccontextmanager
    async def atomically(self) -> AsyncIterator[None]:
        with self._events.block():
            async with self.uow.conn.begin_nested():
                yield
