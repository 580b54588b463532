"""What the ledger's use cases need from storage (implemented in adapters/)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Protocol

from ..domain.catalog import ProgramVersion
from ..domain.chain import ChainedEntry
from ..domain.cohorts import CohortChange, Pilot
from ..domain.outcome import Announcement
from ..domain.state import DealRecord, PartnerLedger
from .notices import NoticeAnnouncements, NoticeBook
from .payout_ports import PayoutStore
from .pilots import PilotStore
from .programs import ProgramAnnouncements, ProgramVersions
from .reconciliation import ForecastStore
from .simulations import SimulationStore

BalanceKey = tuple[str, str, str]  # partner_id, account, currency
DealKey = tuple[str, str]  # partner_id, deal_id


class LedgerStore(Protocol):
    """One transaction of the projector: partner and deal state, journal, balances and the outbox."""

    async def load_partners(self, partner_ids: Iterable[str]) -> dict[str, PartnerLedger]:
        """The partners' state, locked for this transaction (in partner id order)."""
        ...

    async def load_deals(self, keys: Iterable[DealKey]) -> dict[DealKey, DealRecord]: ...
    async def posted(self, entry_ids: Iterable[str]) -> set[str]:
        """Which of these entry ids the journal holds already (entries keyed by their cause, not by an event)."""
        ...

    async def load_programs(self, program_ids: Iterable[str]) -> list[ProgramVersion]:
        """Published versions of these programs (the built-in default is added by the caller)."""
        ...

    async def load_cohorts(
        self, program_ids: Sequence[str], partner_ids: Sequence[str]
    ) -> tuple[list[Pilot], list[CohortChange]]:
        """The pilots of these programs and the partners' cohort changes."""
        ...

    async def save_partners(self, states: Iterable[PartnerLedger]) -> None: ...
    async def save_deals(self, deals: Iterable[DealRecord]) -> None: ...
    async def append(self, entries: list[ChainedEntry]) -> None: ...
    async def apply_balance_deltas(self, deltas: Mapping[BalanceKey, Decimal]) -> None: ...
    def publish_entry_posted(self, entry: ChainedEntry) -> None: ...
    def announce(self, announcement: Announcement) -> None: ...


class LedgerUnit(Protocol):
    """The repositories a write route's use case works on, all in one unit of work (adapters/unit.py)."""

    @property
    def programs(self) -> ProgramVersions: ...
    @property
    def announcements(self) -> ProgramAnnouncements: ...
    @property
    def payouts(self) -> PayoutStore: ...
    @property
    def pilots(self) -> PilotStore: ...
    @property
    def forecasts(self) -> ForecastStore: ...
    @property
    def simulations(self) -> SimulationStore: ...
    @property
    def store(self) -> LedgerStore: ...
    @property
    def notices(self) -> NoticeBook: ...
    @property
    def notice_announcements(self) -> NoticeAnnouncements: ...
