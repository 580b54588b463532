"""What the use cases need from the outside world (implemented in adapters/).

Locks are always taken in one order so concurrent units cannot deadlock: the period row, then a
budget, then requests, then claims, then funds (several funds in key order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from incentive_contracts.events.ledger import LedgerMdfAccrued
from incentive_contracts.events.mdf import (
    MdfAccrualClawedBack,
    MdfAllocated,
    MdfDisbursed,
    MdfFundsExpired,
    MdfResultsReported,
)
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload
from incentive_kernel.clock import Clock as Clock  # re-exported: the port use cases name
from incentive_kernel.paging import Page as Page  # re-exported: the page use cases return

from ..domain.budget import ProgramBudget
from ..domain.claim import Claim, ClaimStatus
from ..domain.fund import Fund
from ..domain.period_close import PeriodState
from ..domain.request import MdfRequest, RequestStatus
from .partner_directory import PartnerDirectory


@dataclass(frozen=True)
class FundPage:
    """Funds in key order; ``next_after`` is the (partner, period, currency) key to continue after."""

    items: list[Fund]
    next_after: tuple[str, str, str] | None


@dataclass(frozen=True)
class RequestFilter:
    partner_id: str | None = None
    period: str | None = None
    statuses: tuple[RequestStatus, ...] = ()
    activity_type: str | None = None


@dataclass(frozen=True)
class ClaimFilter:
    partner_id: str | None = None
    period: str | None = None
    statuses: tuple[ClaimStatus, ...] = ()
    request_id: str | None = None


@dataclass(frozen=True)
class AllocationRecord:
    allocation_id: str
    partner_id: str
    period: str
    amount: Money
    allocated_on: date
    allocated_by: str


@dataclass(frozen=True)
class RequestHistory:
    """What a request paid out and the results reported on it."""

    disbursements: list[MdfDisbursed] = field(default_factory=list)
    results: list[MdfResultsReported] = field(default_factory=list)


class Periods(Protocol):
    async def lock(self, period: str, *, exclusive: bool = False) -> PeriodState:
        """The period's state, created open if new; shared lock (exclusive for closing)."""
        ...

    async def get(self, period: str) -> PeriodState | None: ...
    async def save(self, state: PeriodState) -> None: ...


class Budgets(Protocol):
    async def get(self, period: str, currency: str, *, for_update: bool = False) -> ProgramBudget | None: ...
    async def save(self, budget: ProgramBudget) -> None: ...
    async def list(self, period: str) -> list[ProgramBudget]: ...


class Funds(Protocol):
    async def lock(self, partner_id: str, period: str, currency: str) -> Fund:
        """The fund row locked FOR UPDATE (created empty if new)."""
        ...

    async def lock_many(self, keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], Fund]: ...
    async def lock_period(self, period: str) -> list[Fund]: ...
    async def get(self, partner_id: str, period: str, currency: str) -> Fund | None: ...
    async def save(self, fund: Fund) -> None: ...
    async def list(self, partner_id: str, period: str | None = None) -> list[Fund]: ...
    async def page(self, *, partner_id: str | None, after: tuple[str, str, str] | None, limit: int) -> FundPage:
        """Every fund (of one partner, or all) in (partner, period, currency) order, after ``after``."""
        ...


class Requests(Protocol):
    async def get(self, request_id: str, *, for_update: bool = False) -> MdfRequest | None: ...
    async def add(self, request: MdfRequest) -> None:
        """Insert a new request; AlreadyExists when the id is taken (even by a concurrent unit)."""
        ...

    async def save(self, request: MdfRequest) -> None: ...
    async def open_in_period(self, period: str) -> list[MdfRequest]:
        """Submitted and approved requests of the period, locked FOR UPDATE in id order."""
        ...

    async def list(self, where: RequestFilter, *, after: int | None, limit: int) -> Page[MdfRequest]: ...


class Claims(Protocol):
    async def get(self, claim_id: str, *, for_update: bool = False) -> Claim | None: ...
    async def add(self, claim: Claim) -> None:
        """Insert a new claim; AlreadyExists when the id is taken."""
        ...

    async def save(self, claim: Claim) -> None: ...
    async def list(self, where: ClaimFilter, *, after: int | None, limit: int) -> Page[Claim]: ...


class Tiers(Protocol):
    async def get(self, partner_id: str) -> str | None: ...

    async def record(self, partner_id: str, tier: str, program_id: str, effective_at: date, rule_version: int) -> bool:
        """Keep the tier unless a newer one is already known; True when it was stored."""
        ...


class History(Protocol):
    """Append-only records of what happened to the money (allocations, accruals, payouts, ...)."""

    async def allocation(self, event: MdfAllocated, *, by: str) -> None:
        """AlreadyExists when the allocation id is taken."""
        ...

    async def accrual(self, event_id: str, accrued: LedgerMdfAccrued, *, on: date) -> bool:
        """False when this ledger entry was credited before (nothing is written then)."""
        ...

    async def clawback_answered(self, reversal_entry_id: str) -> bool:
        """True when this ledger reversal was answered before."""
        ...

    async def clawback(self, event_id: str, clawed: MdfAccrualClawedBack) -> bool:
        """Record the answer to a ledger reversal; False when it was answered before."""
        ...

    async def disbursement(self, event: MdfDisbursed) -> None: ...
    async def expiry(self, event: MdfFundsExpired) -> None: ...
    async def results(self, event: MdfResultsReported, *, by: str) -> None:
        """AlreadyExists when the result id is taken."""
        ...

    async def allocations(self, partner_id: str, period: str | None) -> list[AllocationRecord]: ...
    async def of_request(self, request_id: str) -> RequestHistory: ...


class MdfUnit(Protocol):
    """One transaction: repositories plus the outbox (``publish``)."""

    periods: Periods
    budgets: Budgets
    funds: Funds
    requests: Requests
    claims: Claims
    tiers: Tiers
    history: History
    partners: PartnerDirectory
    clock: Clock

    def publish(self, payload: EventPayload, *, time: datetime) -> str: ...
