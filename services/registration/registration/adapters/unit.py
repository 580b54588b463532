"""The application's RegistrationUnit over a servicekit unit of work."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

from incentive_contracts.envelope_bytes import payload_json
from incentive_contracts.event_ids import new_event_ids
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
from .partners_repo import SqlPartners
from .programs_repo import DEFAULT_BUILTIN_PROGRAMS, SqlPrograms

CRM_LOCK_SPACE = 7_304  # bucketed CRM record locks (7_302 held one lock per record)
CRM_LOCK_BUCKETS = 1024
# Customer locks are rows of customer_locks, one per key hash (7_301 then 7_303 were advisory locks,
# per key then in 256 buckets). The statement inserts a key's row or, when it exists, locks it
# (``DO UPDATE ... WHERE false`` updates nothing but locks the conflicting row until commit); a row
# another transaction inserted and has not committed makes it wait for that one too. Rows go in the
# order of the array, sorted, the one global order every transaction takes them in.
LOCK_CUSTOMERS = text(
    """
    INSERT INTO customer_locks (key_hash) SELECT h FROM unnest(CAST(:hashes AS bigint[])) AS h
    ON CONFLICT (key_hash) DO UPDATE SET key_hash = excluded.key_hash WHERE false
    """
)


@lru_cache(maxsize=65_536)
def customer_key_hash(key: str) -> int:
    """A customer key's lock: 64 bits of BLAKE2b as a signed bigint. Two keys sharing a hash share a
    lock (safe: they only wait for each other); with 2^64 values two 5,000-deal requests about
    different customers practically never do."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def customer_lock_buckets(identities: Iterable[CustomerIdentity]) -> list[int]:
    """The locks of these customers (one per key), sorted (the one global order every transaction
    takes them in)."""
    return sorted({customer_key_hash(k) for i in identities for k in i.lock_keys})


def crm_lock_bucket(source: str, record_id: str) -> int:
    return zlib.crc32(f"{source}:{record_id}".encode()) % CRM_LOCK_BUCKETS


class SqlLocks:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def lock_customers(self, identities: Iterable[CustomerIdentity]) -> None:
        # One row lock per customer key: two registrations of one customer always share a key, and
        # requests about other customers do not wait. Row locks are kept in the rows themselves, so
        # a 5,000-deal batch's ~10,000 of them do not fill PostgreSQL's shared lock table (which
        # ~10,000 advisory locks would: max_locks_per_transaction x max_connections, 6,400 by default).
        hashes = customer_lock_buckets(identities)
        if hashes:
            await self.conn.execute(LOCK_CUSTOMERS, {"hashes": hashes})

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
        self._encoded: dict[str, bytes] = {}  # payloads' JSON by event id, until their envelopes take it

    def _publish(self, staged: StagedEvent) -> None:
        event, at, event_id = staged
        self.uow.publish(event, time=at, event_id=event_id, data_json=self._encoded.pop(event_id, None))

    async def emit(self, events: Sequence[EventPayload], *, actor: str | None = None) -> None:
        ids = new_event_ids(len(events))
        # Many events (a bulk registration): history goes in by COPY, which takes the JSON as text,
        # and each payload is encoded once for its history row and its envelope.
        as_text = len(events) >= COPY_FROM_ROWS
        encoded = dict(zip(ids, map(payload_json, events), strict=True)) if as_text else {}
        self._encoded.update(encoded)  # before staging: an event staged outside a block is published at once
        staged = self._events.stage(events, self.clock.now(), ids)
        entries = history_entries(staged, actor)
        await self.deals.record_history(history_rows(entries, as_text=as_text, encoded=encoded))

    @asynccontextmanager
    async def atomically(self) -> AsyncIterator[None]:
        with self._events.block():
            async with self.uow.conn.begin_nested():
                yield
