"""The ports of the money read models (ROI, alerts, anomaly queue, payouts): what the projection
writes and what the queries read. SQL adapters in ``adapters/money_*.py``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from incentive_kernel.paging import Page

from ..domain.anomalies import Flag, HeldAmount
from ..domain.drift import Drift
from ..domain.incentives import DealFacts, EntryFacts
from .memo import ReadModelVersion


@dataclass(frozen=True)
class WonDeal:
    deal_id: str
    partner_id: str
    product_line: str
    currency: str
    amount: Decimal
    closed_on: date


@dataclass(frozen=True)
class PayoutLine:
    line_id: str
    batch_id: str
    partner_id: str
    currency: str
    amount: Decimal
    cutoff: datetime
    batched_at: datetime
    payee_reference: str
    entries_covered: int
    status: str  # in_payment | paid | failed
    payment_reference: str | None = None
    paid_at: datetime | None = None
    failure_reason: str | None = None
    failed_at: datetime | None = None


@dataclass(frozen=True)
class PayoutBatch:
    batch_id: str
    currency: str
    cutoff: datetime
    batched_at: datetime
    status: str  # open (a line in payment) | settled
    lines: int
    total: Decimal
    in_payment: Decimal
    paid: Decimal
    failed: Decimal


@dataclass(frozen=True)
class StoredAlert:
    drift: Drift
    partner_id: str | None
    raised_at: datetime
    acknowledged_by: str | None = None
    acknowledged_reason: str | None = None
    acknowledged_at: datetime | None = None


@dataclass(frozen=True)
class QueueItem:
    deal_id: str
    partner_id: str
    status: str
    flags: tuple[Flag, ...]
    held: tuple[HeldAmount, ...]
    won: WonDeal | None


class MoneyWriter(Protocol):
    """Writes may be buffered until :meth:`flush` (the projection flushes at the end of a batch)."""

    async def flush(self) -> None: ...
    async def record_deal_event(self, event_id: str, deal_id: str, partner_id: str, event_type: str) -> None: ...
    async def record_win(self, deal: WonDeal) -> None: ...
    async def record_reversal(self, deal_id: str, amount: Decimal) -> None: ...
    async def mark_rejected(self, deal_id: str) -> None: ...
    async def flags_of(self, deal_id: str) -> tuple[Flag, ...]: ...
    async def save_flags(self, deal_id: str, partner_id: str, flags: Sequence[Flag]) -> None: ...
    async def record_entry(self, entry: EntryFacts, effective_at: datetime) -> None: ...
    async def record_payout_line(self, line: PayoutLine) -> None: ...
    async def settle_payout_line(self, line_id: str, reference: str, paid_at: datetime) -> None: ...
    async def fail_payout_line(self, line_id: str, reason: str, failed_at: datetime) -> None: ...
    async def record_alert(self, alert: StoredAlert) -> bool: ...
    async def acknowledge_alert(self, alert_id: str, by: str, reason: str, at: datetime) -> None: ...


@dataclass(frozen=True)
class RoiFacts:
    """Everything the ROI method reads for one currency."""

    entries: tuple[EntryFacts, ...]
    deal_of_event: dict[str, str]
    deals: dict[str, DealFacts]
    won: tuple[WonDeal, ...]
    net_revenue: dict[str, Decimal]  # deal -> won minus reversed, 0 when rejected
    known_since: dict[str, str]  # partner -> first quarter observed


class RoiQueries(ReadModelVersion, Protocol):
    async def facts(self, currency: str) -> RoiFacts: ...
    async def currencies(self) -> list[str]: ...


class AlertQueries(Protocol):
    async def page(
        self, *, after: int | None, limit: int, partner_id: str | None, open_only: bool, indicator: str | None
    ) -> Page[StoredAlert]: ...
    async def get(self, alert_id: str) -> StoredAlert | None: ...
    async def open_count(self) -> list[tuple[str, str, str, int]]: ...  # (indicator, scope, severity, n)


class AnomalyQueries(Protocol):
    async def page(
        self, *, after: str | None, limit: int, partner_id: str | None, status: str | None
    ) -> Page[QueueItem]: ...
    async def get(self, deal_id: str) -> QueueItem | None: ...


class PayoutQueries(Protocol):
    async def batches(
        self, *, after: str | None, limit: int, status: str | None, currency: str | None
    ) -> Page[PayoutBatch]: ...
    async def lines(
        self, batch_id: str, *, after: str | None, limit: int, partner_id: str | None
    ) -> Page[PayoutLine]: ...
    async def batch(self, batch_id: str) -> PayoutBatch | None: ...
