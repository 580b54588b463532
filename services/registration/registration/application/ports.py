"""What the use cases need from the outside world (implemented in adapters/)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from incentive_contracts.events.engagement import EngagementKind
from incentive_contracts.events.partner import PartnerType
from incentive_contracts.events.program import ProgramVersionPublished
from incentive_contracts.payload import EventPayload
from incentive_kernel.clock import Clock as Clock  # re-exported: the port use cases name
from incentive_kernel.paging import Page as Page  # re-exported: the page use cases return

from ..domain.crm import CrmRecord
from ..domain.deal import Deal, Stage, Status
from ..domain.engagement import Engagement
from ..domain.identity import CustomerIdentity
from ..domain.partner import Partner
from ..domain.registration import DirectDeal, KnownRegistration


@dataclass(frozen=True)
class DealQuery:
    partner_id: str | None = None
    stage: Stage | None = None
    status: Status | None = None
    flagged: bool | None = None
    close_from: date | None = None
    close_to: date | None = None
    product_line: str | None = None
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class PartnerQuery:
    partner_type: PartnerType | None = None
    region: str | None = None
    tier: str | None = None
    active: bool | None = None
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class EngagementQuery:
    partner_id: str | None = None
    kind: EngagementKind | None = None
    occurred_from: date | None = None
    occurred_to: date | None = None
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class HistoryEntry:
    event_id: str
    event_type: str
    occurred_at: datetime
    actor: str | None
    data: dict[str, Any] = field(default_factory=dict)


class Programs(Protocol):
    """The incentive programs partners may be enrolled into: the ledger's published ones and the built-in."""

    async def known(self, program_id: str) -> bool: ...
    async def record_published(self, published: Sequence[ProgramVersionPublished]) -> None: ...


class Partners(Protocol):
    async def get(self, partner_id: str, *, for_update: bool = False) -> Partner | None: ...
    async def get_many(self, partner_ids: Iterable[str]) -> dict[str, Partner]: ...
    async def save(self, partner: Partner) -> None: ...
    async def list(self, query: PartnerQuery) -> Page[Partner]: ...


class Deals(Protocol):
    async def get(self, deal_id: str, *, for_update: bool = False) -> Deal | None: ...
    async def existing_ids(self, deal_ids: Iterable[str]) -> set[str]: ...
    async def known_registrations(
        self, identities: Iterable[CustomerIdentity], since: date
    ) -> list[KnownRegistration]: ...
    async def daily_counts(
        self, partner_ids: Iterable[str], since: date, until: date
    ) -> dict[tuple[str, date], int]: ...
    async def rivals(self, identity: CustomerIdentity, product_key: str) -> list[Deal]:
        """Active registrations of this customer and product line, by any partner (locked)."""
        ...

    async def stale(self, as_of: date, expiry_days: int, limit: int) -> list[Deal]: ...
    async def save(self, deal: Deal, *, source: str | None = None) -> None: ...
    async def save_many(self, deals: Sequence[Deal], *, source: str) -> None: ...
    async def history(self, deal_id: str) -> list[HistoryEntry]: ...
    async def list(self, query: DealQuery) -> Page[Deal]: ...


class DirectDeals(Protocol):
    async def get(self, direct_deal_id: str, *, for_update: bool = False) -> DirectDeal | None: ...
    async def add(
        self, deal: DirectDeal, *, customer_name: str, product_line: str, created_by: str, note: str | None
    ) -> None: ...
    async def matching(self, identities: Iterable[CustomerIdentity]) -> list[DirectDeal]: ...
    async def release(self, direct_deal_ids: Iterable[str], status: str) -> None: ...


class Engagements(Protocol):
    async def get(self, engagement_id: str) -> Engagement | None: ...
    async def find_same(
        self, partner_id: str, kind: EngagementKind, occurred_on: date, evidence_ref: str
    ) -> Engagement | None: ...
    async def add(self, engagement: Engagement, *, recorded_by: str) -> None: ...
    async def list(self, query: EngagementQuery) -> Page[Engagement]: ...


class CrmRecords(Protocol):
    async def get(self, source: str, record_id: str) -> CrmRecord | None: ...
    async def save(self, record: CrmRecord, outcome: str) -> None: ...
    async def claim_delivery(self, source: str, delivery_id: str, record_id: str) -> bool: ...
    async def set_delivery_outcome(self, source: str, delivery_id: str, outcome: str) -> None: ...


class Locks(Protocol):
    async def lock_customers(self, identities: Iterable[CustomerIdentity]) -> None:
        """Serialize every transaction touching these customers until commit (in one global order)."""
        ...

    async def lock_crm_record(self, source: str, record_id: str) -> None: ...


class RegistrationUnit(Protocol):
    """One transaction: repositories plus the outbox."""

    @property
    def partners(self) -> Partners: ...
    @property
    def programs(self) -> Programs: ...
    @property
    def deals(self) -> Deals: ...
    @property
    def direct_deals(self) -> DirectDeals: ...
    @property
    def engagements(self) -> Engagements: ...
    @property
    def crm(self) -> CrmRecords: ...
    @property
    def locks(self) -> Locks: ...
    @property
    def clock(self) -> Clock: ...

    async def emit(self, events: Sequence[EventPayload], *, actor: str | None = None) -> None:
        """Stage the events for the outbox and record deal events in their deal's history."""
        ...

    def atomically(self) -> AbstractAsyncContextManager[None]:
        """A savepoint: on an error inside, its writes and events are dropped, the rest stays."""
        ...
