"""The RegistrationUnit in memory: the use cases run on it without a database (unit tests, the
contract test that runs one scenario on it and on the SQL unit).

:class:`MemoryRegistrationStore` is the "database"; :meth:`MemoryRegistrationStore.unit` opens a
unit on a copy of it and :meth:`MemoryRegistrationUnit.commit` writes the copy back, so a use case
that raises changes nothing. ``atomically`` snapshots the data and puts it back on an error (a
rolled-back savepoint); its events are held as the SQL unit holds them. Locks are no-ops.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import TypeVar

from incentive_contracts.events.engagement import EngagementKind
from incentive_contracts.events.program import ProgramVersionPublished
from incentive_contracts.payload import EventPayload
from incentive_kernel.clock import Clock
from servicekit.pagination import decode_cursor, encode_cursor
from servicekit.units import MemoryStore

from ..application.crm_ports import StagedEvent
from ..application.ports import (
    CrmRecords,
    DealQuery,
    Deals,
    DirectDeals,
    EngagementQuery,
    Engagements,
    HistoryEntry,
    Locks,
    Page,
    PartnerQuery,
    Partners,
    Programs,
    RegistrationUnit,
)
from ..domain.crm import CrmRecord
from ..domain.deal import ACTIVE_STATUSES, Deal, Status
from ..domain.engagement import Engagement
from ..domain.errors import AlreadyExists
from ..domain.identity import CustomerIdentity, normalize_product_line
from ..domain.partner import Partner
from ..domain.registration import DirectDeal, KnownRegistration
from .held_events import HeldEvents, history_entries
from .programs_repo import DEFAULT_BUILTIN_PROGRAMS

T = TypeVar("T")
K = TypeVar("K", int, str)


@dataclass
class RegistrationData:
    """Every table the SQL unit reads and writes, as plain collections (insertion order is ``seq``)."""

    partners: dict[str, Partner] = field(default_factory=dict)
    programs: dict[str, int] = field(default_factory=dict)  # published program -> latest version
    deals: dict[str, Deal] = field(default_factory=dict)
    direct_deals: dict[str, DirectDeal] = field(default_factory=dict)
    engagements: dict[str, Engagement] = field(default_factory=dict)
    records: dict[tuple[str, str], tuple[CrmRecord, str]] = field(default_factory=dict)
    deliveries: dict[tuple[str, str], tuple[str, str | None]] = field(default_factory=dict)
    history: list[tuple[str, HistoryEntry]] = field(default_factory=list)  # (deal id, entry)
    outbox: list[StagedEvent] = field(default_factory=list)


def _page(rows: Sequence[tuple[K, T]], after: K | None, limit: int) -> Page[T]:
    """Rows (key, item) in key order after ``after``, as the SQL keyset page returns them."""
    later = [(k, item) for k, item in sorted(rows, key=lambda r: r[0]) if after is None or k > after]
    more = len(later) > limit
    shown = later[:limit]
    return Page([item for _, item in shown], encode_cursor(shown[-1][0]) if more and shown else None)


def _after_seq(cursor: str | None) -> int | None:
    after = decode_cursor(cursor)
    return None if after is None else int(after)


def _matches(identity: CustomerIdentity, identities: Iterable[CustomerIdentity]) -> bool:
    """Found by the customer filter: the same name key, or the same domain."""
    wanted = list(identities)
    domains = {i.domain for i in wanted if i.domain}
    return identity.name_key in {i.name_key for i in wanted} or identity.domain in domains


class _Repo:
    def __init__(self, data: RegistrationData) -> None:
        self.data = data


class MemoryDeals(_Repo):
    async def get(self, deal_id: str, *, for_update: bool = False) -> Deal | None:
        return self.data.deals.get(deal_id)

    async def existing_ids(self, deal_ids: Iterable[str]) -> set[str]:
        return {d for d in deal_ids if d in self.data.deals}

    async def known_registrations(self, identities: Iterable[CustomerIdentity], since: date) -> list[KnownRegistration]:
        wanted = list(identities)
        return [
            KnownRegistration(d.deal_id, d.partner_id, d.identity, d.product_key, d.status, d.registered_on)
            for _, d in sorted(self.data.deals.items())
            if _matches(d.identity, wanted) and d.registered_on >= since
        ]

    async def daily_counts(self, partner_ids: Iterable[str], since: date, until: date) -> dict[tuple[str, date], int]:
        ids = set(partner_ids)
        counts: dict[tuple[str, date], int] = {}
        for d in self.data.deals.values():
            if d.partner_id in ids and since <= d.registered_on <= until:
                counts[(d.partner_id, d.registered_on)] = counts.get((d.partner_id, d.registered_on), 0) + 1
        return counts

    async def rivals(self, identity: CustomerIdentity, product_key: str) -> list[Deal]:
        return [
            d
            for _, d in sorted(self.data.deals.items())
            if d.product_key == product_key and d.status in ACTIVE_STATUSES and d.identity.same_customer(identity)
        ]

    async def stale(self, as_of: date, expiry_days: int, limit: int) -> list[Deal]:
        cutoff = as_of - timedelta(days=expiry_days)
        found = [
            d
            for d in self.data.deals.values()
            if d.status == Status.APPROVED and d.last_progress_on is not None and d.last_progress_on < cutoff
        ]
        return found[:limit]

    async def save(self, deal: Deal, *, source: str | None = None) -> None:
        self.data.deals[deal.deal_id] = deal

    async def save_many(self, deals: Sequence[Deal], *, source: str) -> None:
        for deal in deals:
            if deal.deal_id in self.data.deals:
                raise AlreadyExists(f"deal {deal.deal_id} already exists")
            self.data.deals[deal.deal_id] = deal

    async def history(self, deal_id: str) -> list[HistoryEntry]:
        return [entry for of_deal, entry in self.data.history if of_deal == deal_id]

    async def list(self, query: DealQuery) -> Page[Deal]:
        product_key = None if query.product_line is None else normalize_product_line(query.product_line)
        rows = [
            (seq, d)
            for seq, d in enumerate(self.data.deals.values(), start=1)
            if (query.partner_id is None or d.partner_id == query.partner_id)
            and (query.stage is None or d.stage == query.stage)
            and (query.status is None or d.status == query.status)
            and (query.flagged is None or d.flagged == query.flagged)
            and (query.close_from is None or d.expected_close >= query.close_from)
            and (query.close_to is None or d.expected_close <= query.close_to)
            and (product_key is None or d.product_key == product_key)
        ]
        return _page(rows, _after_seq(query.cursor), query.limit)


class MemoryDirectDeals(_Repo):
    async def get(self, direct_deal_id: str, *, for_update: bool = False) -> DirectDeal | None:
        return self.data.direct_deals.get(direct_deal_id)

    async def add(
        self, deal: DirectDeal, *, customer_name: str, product_line: str, created_by: str, note: str | None
    ) -> None:
        if deal.direct_deal_id in self.data.direct_deals:
            raise AlreadyExists(f"direct deal {deal.direct_deal_id} already exists")
        self.data.direct_deals[deal.direct_deal_id] = deal

    async def matching(self, identities: Iterable[CustomerIdentity]) -> list[DirectDeal]:
        wanted = list(identities)
        return [d for d in self.data.direct_deals.values() if d.active and _matches(d.identity, wanted)]

    async def release(self, direct_deal_ids: Iterable[str], status: str) -> None:
        for direct_deal_id in set(direct_deal_ids):
            found = self.data.direct_deals.get(direct_deal_id)
            if found is not None:
                self.data.direct_deals[direct_deal_id] = replace(found, active=status == "active")


class MemoryPartners(_Repo):
    async def get(self, partner_id: str, *, for_update: bool = False) -> Partner | None:
        return self.data.partners.get(partner_id)

    async def get_many(self, partner_ids: Iterable[str]) -> dict[str, Partner]:
        return {p: self.data.partners[p] for p in set(partner_ids) if p in self.data.partners}

    async def save(self, partner: Partner) -> None:
        self.data.partners[partner.partner_id] = partner

    async def list(self, query: PartnerQuery) -> Page[Partner]:
        rows = [
            (p.partner_id, p)
            for p in self.data.partners.values()
            if (query.partner_type is None or p.partner_type == query.partner_type)
            and (query.region is None or p.region == query.region)
            and (query.tier is None or p.tier == query.tier)
            and (query.active is None or p.active == query.active)
        ]
        after = decode_cursor(query.cursor)
        return _page(rows, None if after is None else str(after), query.limit)


class MemoryPrograms(_Repo):
    def __init__(self, data: RegistrationData, builtin: Iterable[str]) -> None:
        super().__init__(data)
        self.builtin = frozenset(builtin)

    async def known(self, program_id: str) -> bool:
        return program_id in self.builtin or program_id in self.data.programs

    async def record_published(self, published: Sequence[ProgramVersionPublished]) -> None:
        for event in published:  # an older version arriving late changes nothing
            latest = self.data.programs.get(event.program_id, 0)
            self.data.programs[event.program_id] = max(latest, event.program_version)


class MemoryEngagements(_Repo):
    async def get(self, engagement_id: str) -> Engagement | None:
        return self.data.engagements.get(engagement_id)

    async def find_same(
        self, partner_id: str, kind: EngagementKind, occurred_on: date, evidence_ref: str
    ) -> Engagement | None:
        same = (partner_id, kind, occurred_on, evidence_ref)
        found = (
            e for e in self.data.engagements.values() if (e.partner_id, e.kind, e.occurred_on, e.evidence_ref) == same
        )
        return next(found, None)

    async def add(self, engagement: Engagement, *, recorded_by: str) -> None:
        if engagement.engagement_id in self.data.engagements:
            raise AlreadyExists(f"engagement {engagement.engagement_id} already exists")
        self.data.engagements[engagement.engagement_id] = engagement

    async def list(self, query: EngagementQuery) -> Page[Engagement]:
        rows = [
            (seq, e)
            for seq, e in enumerate(self.data.engagements.values(), start=1)
            if (query.partner_id is None or e.partner_id == query.partner_id)
            and (query.kind is None or e.kind == query.kind)
            and (query.occurred_from is None or e.occurred_on >= query.occurred_from)
            and (query.occurred_to is None or e.occurred_on <= query.occurred_to)
        ]
        return _page(rows, _after_seq(query.cursor), query.limit)


class MemoryCrmRecords(_Repo):
    async def get(self, source: str, record_id: str) -> CrmRecord | None:
        found = self.data.records.get((source, record_id))
        return None if found is None else found[0]

    async def save(self, record: CrmRecord, outcome: str) -> None:
        self.data.records[(record.source, record.record_id)] = (record, outcome[:1000])

    async def claim_delivery(self, source: str, delivery_id: str, record_id: str) -> bool:
        if (source, delivery_id) in self.data.deliveries:
            return False
        self.data.deliveries[(source, delivery_id)] = (record_id, None)
        return True

    async def set_delivery_outcome(self, source: str, delivery_id: str, outcome: str) -> None:
        claimed = self.data.deliveries.get((source, delivery_id))
        if claimed is not None:
            self.data.deliveries[(source, delivery_id)] = (claimed[0], outcome[:1000])


class MemoryLocks:
    """One unit runs at a time: nothing to wait for."""

    async def lock_customers(self, identities: Iterable[CustomerIdentity]) -> None:
        return None

    async def lock_crm_record(self, source: str, record_id: str) -> None:
        return None


class MemoryRegistrationStore(MemoryStore[RegistrationData]):
    def __init__(self, clock: Clock | None = None, builtin_programs: Iterable[str] = DEFAULT_BUILTIN_PROGRAMS) -> None:
        super().__init__(RegistrationData(), clock)
        self.builtin_programs = tuple(builtin_programs)

    def unit(self) -> MemoryRegistrationUnit:
        return MemoryRegistrationUnit(self, self.copy())

    @property
    def published(self) -> list[EventPayload]:
        return [event for event, _, _ in self.data.outbox]


class MemoryRegistrationUnit:
    """One "transaction" on a copy of the store's data; :meth:`commit` makes it the store's."""

    def __init__(self, store: MemoryRegistrationStore, data: RegistrationData) -> None:
        self.store = store
        self.data = data
        self.partners: Partners = MemoryPartners(data)
        self.programs: Programs = MemoryPrograms(data, store.builtin_programs)
        self.deals: Deals = MemoryDeals(data)
        self.direct_deals: DirectDeals = MemoryDirectDeals(data)
        self.engagements: Engagements = MemoryEngagements(data)
        self.crm: CrmRecords = MemoryCrmRecords(data)
        self.locks: Locks = MemoryLocks()
        self.clock: Clock = store.clock
        self._events = HeldEvents(data.outbox.append)

    async def emit(self, events: Sequence[EventPayload], *, actor: str | None = None) -> None:
        staged = self._events.stage(events, self.clock.now())
        for deal_id, event_id, event, at, by in history_entries(staged, actor):
            entry = HistoryEntry(event_id, event.event_type, at, by, event.model_dump(mode="json"))
            self.data.history.append((deal_id, entry))

    @asynccontextmanager
    async def atomically(self) -> AsyncIterator[None]:
        snapshot = copy.deepcopy(self.data)
        with self._events.block():
            try:
                yield
            except BaseException:
                for f in fields(RegistrationData):
                    if f.name != "outbox":  # the outbox list is shared with the held events
                        setattr(self.data, f.name, getattr(snapshot, f.name))
                raise

    def commit(self) -> None:
        self.store.data = self.data


def as_registration_unit(unit: MemoryRegistrationUnit) -> RegistrationUnit:
    """The in-memory unit as the port the use cases take (mypy checks that it keeps it)."""
    return unit
