"""The application's RegistrationUnit over a servicekit unit of work."""

from __future__ import annotations

import os
import zlib
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from incentive_contracts.envelope import new_event_id
from incentive_contracts.payload import EventPayload
from servicekit.unit_of_work import UnitOfWork
from sqlalchemy import text

from ..application.ports import Clock
from ..domain.identity import CustomerIdentity
from .crm_repo import SqlCrmRecords
from .deals_repo import COPY_FROM_ROWS, SqlDeals, SqlDirectDeals
from .engagements_repo import SqlEngagements
from .partners_repo import SqlPartners
from .programs_repo import DEFAULT_BUILTIN_PROGRAMS, SqlPrograms

CUSTOMER_LOCK_SPACE = 7_303  # bucketed customer locks (7_301 held one lock per key)
CUSTOMER_LOCK_BUCKETS = 256
CRM_LOCK_SPACE = 7_304  # bucketed CRM record locks (7_302 held one lock per record)
CRM_LOCK_BUCKETS = 1024


def event_ids(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs as strings, from one read of the OS's random source.

    The same ids as ``new_event_id`` gives (RFC 4122 version 4), made in bulk: a 5,000-deal
    registration emits 10,000 events, and one ``uuid4()`` each was a noticeable share of its time.
    """
    if count == 1:
        return [new_event_id()]
    ids = []
    raw = bytearray(os.urandom(16 * count))
    for start in range(0, 16 * count, 16):
        raw[start + 6] = (raw[start + 6] & 0x0F) | 0x40  # version 4
        raw[start + 8] = (raw[start + 8] & 0x3F) | 0x80  # RFC 4122 variant
        h = raw[start : start + 16].hex()
        ids.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return ids


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


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
        self._held: list[list[tuple[EventPayload, datetime, str]]] = []

    async def emit(self, events: Sequence[EventPayload], *, actor: str | None = None) -> None:
        now = self.clock.now()
        history = []
        # Many events (a bulk registration): history goes in by COPY, which takes the JSON as text.
        as_text = len(events) >= COPY_FROM_ROWS
        for event, event_id in zip(events, event_ids(len(events)), strict=True):
            staged = (event, now, event_id)
            if self._held:
                self._held[-1].append(staged)
            else:
                self.uow.publish(event, time=now, event_id=event_id)
            deal_id = getattr(event, "deal_id", None)
            if deal_id is not None:
                history.append(
                    {
                        "deal_id": deal_id,
                        "event_id": event_id,
                        "event_type": event.event_type,
                        "occurred_at": now,
                        "actor": actor,
                        "data": event.model_dump_json() if as_text else event.model_dump(mode="json"),
                    }
                )
        await self.deals.record_history(history)

    @asynccontextmanager
    async def atomically(self) -> AsyncIterator[None]:
        self._held.append([])
        try:
            async with self.uow.conn.begin_nested():
                yield
        except BaseException:
            self._held.pop()
            raise
        held = self._held.pop()
        for event, at, event_id in held:
            if self._held:
                self._held[-1].append((event, at, event_id))
            else:
                self.uow.publish(event, time=at, event_id=event_id)
