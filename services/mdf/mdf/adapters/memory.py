"""The MdfUnit in memory: the use cases run on it without a database (unit tests, the contract test).

:class:`MemoryMdfStore` is the "database"; :meth:`MemoryMdfStore.unit` opens a unit on a copy of it,
and :meth:`MemoryMdfUnit.commit` writes the copy back, so a use case that raises changes nothing
(as a rolled-back transaction). Locks are no-ops: one unit runs at a time. Every repository keeps
the SQL repository's contract (ids that must be new, keyset order, stale tiers never overwriting).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TypeVar

from incentive_contracts.events.ledger import LedgerMdfAccrued
from incentive_contracts.events.mdf import (
    MdfAccrualClawedBack,
    MdfAllocated,
    MdfDisbursed,
    MdfFundsExpired,
    MdfResultsReported,
)
from incentive_contracts.payload import EventPayload
from incentive_kernel.clock import Clock
from servicekit.pagination import encode_cursor
from servicekit.units import MemoryStore

from ..application.partner_directory import KnownPartner, PartnerDirectory
from ..application.ports import (
    AllocationRecord,
    Budgets,
    ClaimFilter,
    Claims,
    FundPage,
    Funds,
    History,
    MdfUnit,
    Page,
    Periods,
    RequestFilter,
    RequestHistory,
    Requests,
    Tiers,
)
from ..domain.budget import ProgramBudget
from ..domain.claim import Claim
from ..domain.errors import AlreadyExists
from ..domain.fund import Fund
from ..domain.period_close import PeriodState
from ..domain.request import MdfRequest, RequestStatus

FundKey = tuple[str, str, str]
T = TypeVar("T")
OPEN = (RequestStatus.SUBMITTED, RequestStatus.APPROVED)


@dataclass
class Tier:
    tier: str
    effective_at: date


@dataclass
class MemoryData:
    """Every table the SQL unit reads and writes, as plain collections (insertion order is ``seq``)."""

    periods: dict[str, PeriodState] = field(default_factory=dict)
    budgets: dict[tuple[str, str], ProgramBudget] = field(default_factory=dict)
    funds: dict[FundKey, Fund] = field(default_factory=dict)
    requests: dict[str, MdfRequest] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    tiers: dict[str, Tier] = field(default_factory=dict)
    allocations: dict[str, AllocationRecord] = field(default_factory=dict)
    accruals: set[str] = field(default_factory=set)
    clawbacks: set[str] = field(default_factory=set)
    disbursements: list[MdfDisbursed] = field(default_factory=list)
    expiries: list[MdfFundsExpired] = field(default_factory=list)
    results: dict[str, MdfResultsReported] = field(default_factory=dict)
    partners: dict[str, KnownPartner] = field(default_factory=dict)
    outbox: list[tuple[EventPayload, datetime]] = field(default_factory=list)


class MemoryMdfStore(MemoryStore[MemoryData]):
    def __init__(self, clock: Clock | None = None) -> None:
        super().__init__(MemoryData(), clock)

    def unit(self) -> MemoryMdfUnit:
        return MemoryMdfUnit(self, self.copy())

    @property
    def published(self) -> list[EventPayload]:
        return [payload for payload, _ in self.data.outbox]


def _page(rows: list[T], seq: Callable[[T], int], after: int | None, limit: int) -> Page[T]:
    """Rows in ``seq`` order after ``after``, as the SQL keyset page returns them."""
    later = [r for r in rows if after is None or seq(r) > after]
    more = len(later) > limit
    shown = later[:limit]
    return Page(shown, encode_cursor(seq(shown[-1])) if more and shown else None)


class MemoryPeriods:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def lock(self, period: str, *, exclusive: bool = False) -> PeriodState:
        return self.data.periods.setdefault(period, PeriodState(period))

    async def get(self, period: str) -> PeriodState | None:
        return self.data.periods.get(period)

    async def save(self, state: PeriodState) -> None:
        if state.period in self.data.periods:  # as the SQL update: a period is created by lock()
            self.data.periods[state.period] = state


class MemoryBudgets:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def get(self, period: str, currency: str, *, for_update: bool = False) -> ProgramBudget | None:
        return self.data.budgets.get((period, currency))

    async def save(self, budget: ProgramBudget) -> None:
        self.data.budgets[(budget.period, budget.currency)] = budget

    async def list(self, period: str) -> list[ProgramBudget]:
        return sorted((b for b in self.data.budgets.values() if b.period == period), key=lambda b: b.currency)


class MemoryFunds:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def lock(self, partner_id: str, period: str, currency: str) -> Fund:
        return (await self.lock_many([(partner_id, period, currency)]))[(partner_id, period, currency)]

    async def lock_many(self, keys: list[FundKey]) -> dict[FundKey, Fund]:
        return {key: self.data.funds.setdefault(key, Fund(*key)) for key in sorted(set(keys))}

    async def lock_period(self, period: str) -> list[Fund]:
        return [f for key, f in sorted(self.data.funds.items()) if f.period == period]

    async def get(self, partner_id: str, period: str, currency: str) -> Fund | None:
        return self.data.funds.get((partner_id, period, currency))

    async def save(self, fund: Fund) -> None:
        self.data.funds[fund.key] = fund

    async def list(self, partner_id: str, period: str | None = None) -> list[Fund]:
        return [
            f
            for _, f in sorted(self.data.funds.items())
            if f.partner_id == partner_id and (period is None or f.period == period)
        ]

    async def page(self, *, partner_id: str | None, after: FundKey | None, limit: int) -> FundPage:
        rows = [
            f
            for key, f in sorted(self.data.funds.items())
            if (partner_id is None or f.partner_id == partner_id) and (after is None or key > after)
        ]
        return FundPage(rows[:limit], rows[limit - 1].key if len(rows) > limit else None)


class MemoryRequests:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def get(self, request_id: str, *, for_update: bool = False) -> MdfRequest | None:
        return self.data.requests.get(request_id)

    async def add(self, request: MdfRequest) -> None:
        if request.request_id in self.data.requests:
            raise AlreadyExists(f"request {request.request_id} already exists")
        self.data.requests[request.request_id] = request

    async def save(self, request: MdfRequest) -> None:
        self.data.requests[request.request_id] = request

    async def open_in_period(self, period: str) -> list[MdfRequest]:
        found = [r for r in self.data.requests.values() if r.period == period and r.status in OPEN]
        return sorted(found, key=lambda r: r.request_id)

    async def list(self, where: RequestFilter, *, after: int | None, limit: int) -> Page[MdfRequest]:
        seq = {request_id: n for n, request_id in enumerate(self.data.requests, start=1)}
        rows = [
            r
            for r in self.data.requests.values()
            if (where.partner_id is None or r.partner_id == where.partner_id)
            and (where.period is None or r.period == where.period)
            and (not where.statuses or r.status in where.statuses)
            and (where.activity_type is None or r.activity_type == where.activity_type)
        ]
        return _page(rows, lambda r: seq[r.request_id], after, limit)


class MemoryClaims:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def get(self, claim_id: str, *, for_update: bool = False) -> Claim | None:
        return self.data.claims.get(claim_id)

    async def add(self, claim: Claim) -> None:
        if claim.claim_id in self.data.claims:
            raise AlreadyExists(f"claim {claim.claim_id} already exists")
        self.data.claims[claim.claim_id] = claim

    async def save(self, claim: Claim) -> None:
        self.data.claims[claim.claim_id] = claim

    async def list(self, where: ClaimFilter, *, after: int | None, limit: int) -> Page[Claim]:
        seq = {claim_id: n for n, claim_id in enumerate(self.data.claims, start=1)}
        rows = [
            c
            for c in self.data.claims.values()
            if (where.partner_id is None or c.partner_id == where.partner_id)
            and (where.period is None or c.period == where.period)
            and (not where.statuses or c.status in where.statuses)
            and (where.request_id is None or c.request_id == where.request_id)
        ]
        return _page(rows, lambda c: seq[c.claim_id], after, limit)


class MemoryTiers:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def get(self, partner_id: str) -> str | None:
        known = self.data.tiers.get(partner_id)
        return None if known is None else known.tier

    async def record(self, partner_id: str, tier: str, program_id: str, effective_at: date, rule_version: int) -> bool:
        known = self.data.tiers.get(partner_id)
        if known is not None and known.effective_at > effective_at:
            return False  # a stale tier change never overwrites a newer one
        self.data.tiers[partner_id] = Tier(tier, effective_at)
        return True


class MemoryHistory:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def allocation(self, event: MdfAllocated, *, by: str) -> None:
        if event.allocation_id in self.data.allocations:
            raise AlreadyExists(f"allocation {event.allocation_id} already exists")
        self.data.allocations[event.allocation_id] = AllocationRecord(
            event.allocation_id, event.partner_id, event.period, event.amount, event.allocated_on, by
        )

    async def accrual(self, event_id: str, accrued: LedgerMdfAccrued, *, on: date) -> bool:
        return _first(self.data.accruals, accrued.entry_id)

    async def clawback_answered(self, reversal_entry_id: str) -> bool:
        return reversal_entry_id in self.data.clawbacks

    async def clawback(self, event_id: str, clawed: MdfAccrualClawedBack) -> bool:
        return _first(self.data.clawbacks, clawed.reversal_entry_id)

    async def disbursement(self, event: MdfDisbursed) -> None:
        self.data.disbursements.append(event)

    async def expiry(self, event: MdfFundsExpired) -> None:
        self.data.expiries.append(event)

    async def results(self, event: MdfResultsReported, *, by: str) -> None:
        if event.result_id in self.data.results:
            raise AlreadyExists(f"result {event.result_id} already exists")
        self.data.results[event.result_id] = event

    async def allocations(self, partner_id: str, period: str | None) -> list[AllocationRecord]:
        return [
            a
            for a in self.data.allocations.values()
            if a.partner_id == partner_id and (period is None or a.period == period)
        ]

    async def of_request(self, request_id: str) -> RequestHistory:
        return RequestHistory(
            disbursements=[d for d in self.data.disbursements if d.request_id == request_id],
            results=[r for r in self.data.results.values() if r.request_id == request_id],
        )


def _first(seen: set[str], key: str) -> bool:
    """Add ``key``; False when it was there already (the SQL insert's ON CONFLICT DO NOTHING)."""
    if key in seen:
        return False
    seen.add(key)
    return True


class MemoryPartnerDirectory:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def enrol(self, partner: KnownPartner) -> None:
        self.data.partners[partner.partner_id] = partner

    async def update(self, partner_id: str, name: str, program_id: str) -> bool:
        return self._change(partner_id, lambda p: replace(p, name=name, program_id=program_id))

    async def deactivate(self, partner_id: str, on: date) -> bool:
        return self._change(partner_id, lambda p: replace(p, active=False))

    async def known(self, partner_ids: Sequence[str]) -> set[str]:
        return {p for p in partner_ids if p in self.data.partners}

    def _change(self, partner_id: str, change: Callable[[KnownPartner], KnownPartner]) -> bool:
        known = self.data.partners.get(partner_id)
        if known is None:
            return False
        self.data.partners[partner_id] = change(known)
        return True


class MemoryMdfUnit:
    """One "transaction" on a copy of the store's data; :meth:`commit` makes it the store's."""

    def __init__(self, store: MemoryMdfStore, data: MemoryData) -> None:
        self.store = store
        self.data = data
        self.periods: Periods = MemoryPeriods(data)
        self.budgets: Budgets = MemoryBudgets(data)
        self.funds: Funds = MemoryFunds(data)
        self.requests: Requests = MemoryRequests(data)
        self.claims: Claims = MemoryClaims(data)
        self.tiers: Tiers = MemoryTiers(data)
        self.history: History = MemoryHistory(data)
        self.partners: PartnerDirectory = MemoryPartnerDirectory(data)
        self.clock: Clock = store.clock

    def publish(self, payload: EventPayload, *, time: datetime) -> str:
        self.data.outbox.append((payload, time))
        return str(uuid.uuid4())

    def commit(self) -> None:
        self.store.data = self.data


def as_mdf_unit(unit: MemoryMdfUnit) -> MdfUnit:
    """The in-memory unit as the port the use cases take (mypy checks that it keeps it)."""
    return unit
