"""The read side of the ledger: what the routes read, as one port (implemented in adapters/read_model.py).

Each method reads in a connection of its own and answers plain values (no rows, no SQL): the routes
turn them into response models. ``None`` means "no such thing"; the route says so as a 404.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from incentive_kernel.paging import Page

from ..domain.catalog import ProgramVersion
from ..domain.cohorts import Pilot
from ..domain.pilot_report import GroupMetrics
from ..domain.reconciliation import Forecast, PayoutRecords, Sums
from .payout_ports import Batch, Line
from .programs import ProgramVersionReader


@dataclass(frozen=True)
class BalanceLine:
    account: str
    currency: str
    balance: Decimal  # debit-positive, as stored


@dataclass(frozen=True)
class PartnerRow:
    partner_id: str
    program_id: str | None
    tier: str | None
    state: dict[str, Any]


@dataclass(frozen=True)
class EntryFilter:
    partner_id: str | None = None
    deal_id: str | None = None
    kind: str | None = None
    caused_by: str | None = None
    account: str | None = None
    currency: str | None = None
    effective_from: datetime | None = None
    effective_to: datetime | None = None
    after_seq: int | None = None


@dataclass(frozen=True)
class PostingView:
    account: str
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class EntryView:
    """A journal entry with its postings (the attributes ``application.explain`` reads)."""

    entry_id: str
    partner_id: str
    stream: str
    sequence: int
    kind: str
    deal_id: str | None
    caused_by: str
    effective_at: datetime
    rule_id: str | None
    rule_version: int | None
    reverses: str | None
    explanation: dict[str, Any]
    prev_hash: str | None
    entry_hash: str
    posted_seq: int
    postings: list[PostingView]


@dataclass(frozen=True)
class EntryLinks:
    """An entry, the entry it reverses (if any) and the entries that reverse it."""

    entry: EntryView
    original: EntryView | None
    reversed_by: list[EntryView]


@dataclass(frozen=True)
class PartnerStatementData:
    opening: list[BalanceLine]
    lines: list[Any]  # postings with their entries: what ``reports.build_statement`` reads


@dataclass(frozen=True)
class CoveredLine:
    line: Line
    covered_entry_ids: list[str]


@dataclass(frozen=True)
class BatchLines:
    batch: Batch
    lines: Page[CoveredLine]


@dataclass(frozen=True)
class PartnerPayoutLine:
    line: Line
    cutoff: datetime


@dataclass(frozen=True)
class PilotView:
    pilot: Pilot
    description: str | None


@dataclass(frozen=True)
class GroupReport:
    tag: str
    partners: list[str]
    metrics: list[GroupMetrics]


@dataclass(frozen=True)
class PilotReport:
    pilot: PilotView
    period_from: date
    period_to: date
    cohort: GroupReport
    control: GroupReport


@dataclass(frozen=True)
class StoredSimulation:
    simulation_id: str
    created_at: datetime
    created_by: str
    result: dict[str, Any]  # the comparison as stored (JSON)


@dataclass(frozen=True)
class ConsumedEvent:
    consumed_seq: int
    event_id: str
    consumer_group: str
    topic: str
    partition: int
    offset: int
    event_type: str
    partner_id: str | None
    event_time: datetime | None
    event: dict[str, Any]


@dataclass(frozen=True)
class ChainHeadView:
    partner_id: str
    stream: str
    last_sequence: int
    head_hash: str


@dataclass(frozen=True)
class PeriodTotals:
    """What the quarterly reconciliation compares: posting sums, payout records, forecasts."""

    sums: dict[str, Sums]
    payouts: dict[str, PayoutRecords]
    forecasts: dict[str, Forecast]


class LedgerQueries(Protocol):
    """Every read the ledger's routes make."""

    @property
    def programs(self) -> ProgramVersionReader: ...

    async def partner(self, partner_id: str) -> PartnerRow | None: ...
    async def all_partner_ids(self) -> list[str]: ...
    async def partner_balances(self, partner_id: str, as_of: datetime | None) -> list[BalanceLine] | None:
        """The partner's own accounts (``as_of``: postings effective up to then); None: no such partner."""
        ...

    async def partner_statement(
        self, partner_id: str, start: datetime, end: datetime, currency: str | None
    ) -> PartnerStatementData | None: ...
    async def entries(self, where: EntryFilter, limit: int) -> Page[EntryView]: ...
    async def entry(self, entry_id: str) -> EntryView | None: ...
    async def entry_links(self, entry_id: str) -> EntryLinks | None: ...
    async def published_versions(self, program_ids: Sequence[str]) -> list[ProgramVersion]: ...
    async def payout_batches(
        self, *, status: str | None, currency: str | None, after: int | None, limit: int
    ) -> Page[Batch]: ...
    async def payout_batch(self, batch_id: str) -> Batch | None: ...
    async def batch_lines(
        self, batch_id: str, *, status: str | None, after_partner: str | None, limit: int
    ) -> BatchLines | None: ...
    def batch_line_chunks(self, batch_id: str, *, status: str | None, chunk: int) -> AsyncIterator[list[CoveredLine]]:
        """Every line of the batch (in partner order), ``chunk`` at a time, on one connection."""
        ...

    async def partner_payouts(
        self, partner_id: str, *, after: int | None, limit: int
    ) -> Page[PartnerPayoutLine] | None: ...
    async def pilots(self) -> list[PilotView]: ...
    async def pilot(self, pilot_id: str) -> PilotView:
        """Raises NotFound."""
        ...

    async def cohort_members(self, tag: str, on: date) -> list[str]: ...
    async def pilot_report(
        self, pilot_id: str, period_from: date | None, period_to: date | None, today: date
    ) -> PilotReport:
        """Raises NotFound."""
        ...

    async def simulations(self, *, partner_scope: str | None, after: int | None, limit: int) -> Page[StoredSimulation]:
        """Newest first; ``partner_scope``: only that partner's (a partner token's view)."""
        ...

    async def simulation(self, simulation_id: str, *, partner_scope: str | None) -> StoredSimulation | None: ...
    async def consumed_events(
        self, *, topic: str | None, partner_id: str | None, event_type: str | None, after: int | None, limit: int
    ) -> Page[ConsumedEvent]: ...
    async def chain_heads(
        self, *, partner_id: str | None, after: tuple[str, str] | None, limit: int
    ) -> Page[ChainHeadView]: ...
    async def period_totals(self, period: str, start: datetime, end: datetime) -> PeriodTotals: ...
    async def latest_reconciliation_run(self) -> dict[str, Any] | None:
        """The latest stored cross-service run, as ``run_json`` gives it (None before the first)."""
        ...
