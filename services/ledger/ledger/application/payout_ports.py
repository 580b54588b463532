"""What the payout use cases need from storage (implemented by adapters/payout_store.py)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from ..domain.chain import ChainedEntry, ChainHead
from ..domain.payouts import PayoutAction


@dataclass(frozen=True)
class Batch:
    batch_id: str
    batch_seq: int
    currency: str
    cutoff: datetime
    minimum_amount: Decimal
    status: str  # open | settled
    line_count: int
    total: Decimal
    content_hash: str | None
    created_at: datetime
    created_by: str
    settled_at: datetime | None


@dataclass(frozen=True)
class PreparedAnnouncements:
    """A cut's events, built by :meth:`PayoutStore.announcements` while the cut's writes run and staged
    by :meth:`PayoutStore.stage`; their form is the store's own."""

    events: Sequence[object]


@dataclass(frozen=True)
class PartnerDue:
    """One locked partner at cut time: what is due as of the cutoff and what is payable now."""

    partner_id: str
    due: Decimal
    payable_now: Decimal
    entries_covered: int
    coverage_hash: str
    registration_sequence: int
    payout_head: ChainHead


@dataclass(frozen=True)
class Line:
    line_id: str
    batch_id: str
    partner_id: str
    currency: str
    amount: Decimal
    payee_reference: str
    entries_covered: int
    coverage_hash: str
    cut_entry_id: str
    status: str  # in_payment | paid | failed
    payment_reference: str | None = None
    failure_reason: str | None = None
    acknowledged_at: datetime | None = None
    outcome_entry_id: str | None = None


@dataclass(frozen=True)
class LockedPartner:
    registration_sequence: int
    payout_head: ChainHead


class PayoutStore(Protocol):
    async def claim_batch(
        self, batch_id: str, currency: str, cutoff: datetime, minimum: Decimal, by: str, now: datetime
    ) -> Batch | None:
        """Insert the batch row; ``None`` when this call created it, else the batch that exists."""
        ...

    def lock_and_measure(
        self, currency: str, cutoff: datetime, minimum: Decimal
    ) -> AsyncGenerator[list[PartnerDue], None]:
        """Lock (in partner id order) every partner payable at least ``minimum`` and measure what is due,
        in chunks of partners in id order; the next chunk is being measured while the caller uses one."""
        ...

    async def write_cut(
        self, batch: Batch, lines: Sequence[Line], actions: Sequence[PayoutAction], chained: Sequence[ChainedEntry]
    ) -> None:
        """Lines, their covered entries, the journal entries, balances and chain heads."""
        ...

    async def finish_batch(
        self, batch_id: str, line_count: int, total: Decimal, content_hash: str, status: str
    ) -> None: ...
    async def batch(self, batch_id: str, *, lock: bool = False) -> Batch | None:
        """``lock``: FOR UPDATE, so acknowledgements of one batch run one at a time."""
        ...

    async def lines(self, batch_id: str, line_ids: Sequence[str], *, lock: bool = False) -> dict[str, Line]:
        """The batch's lines by id (``lock``: FOR UPDATE, in line id order)."""
        ...

    async def lock_partners(self, partner_ids: Sequence[str]) -> dict[str, LockedPartner]: ...
    async def record_outcomes(
        self,
        outcomes: Sequence[tuple[Line, PayoutAction, ChainedEntry]],
        by: str,
    ) -> None:
        """Post the outcome entries and record each line's outcome; a failed line frees its entries."""
        ...

    async def settle_if_done(self, batch_id: str, now: datetime) -> None: ...
    def announce(self, action: PayoutAction, linked: ChainedEntry, recorded_at: datetime) -> None:
        """Stage the ledger.payout_* event and ledger.entry_posted of an action."""
        ...

    async def announcements(
        self, actions: Sequence[PayoutAction], chained: Sequence[ChainedEntry], recorded_at: datetime
    ) -> PreparedAnnouncements:
        """What ``announce`` would stage for each action in turn, built without holding up the event
        loop: awaited beside the cut's writes, the building overlaps PostgreSQL's time."""
        ...

    def stage(self, prepared: PreparedAnnouncements) -> None:
        """Stage prepared announcements, as ``announce`` would have staged them action by action."""
        ...
