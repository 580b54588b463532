"""An in-memory LedgerStore: replays and simulations that post nothing, and the property tests.

``commit`` keeps a batch's writes; an instance that is not committed changes nothing, like a
rolled-back transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ..application.ports import BalanceKey, DealKey
from ..application.projector import Incoming, Rejected, project
from ..domain.catalog import ProgramVersion, WhatIf
from ..domain.chain import ChainedEntry
from ..domain.cohorts import CohortChange, Pilot
from ..domain.outcome import Announcement
from ..domain.state import DealRecord, PartnerLedger


@dataclass
class MemoryLedger:
    """What a database would hold."""

    partners: dict[str, PartnerLedger] = field(default_factory=dict)
    deals: dict[DealKey, DealRecord] = field(default_factory=dict)
    journal: list[ChainedEntry] = field(default_factory=list)
    balances: dict[BalanceKey, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    announced: list[Announcement] = field(default_factory=list)
    programs: list[ProgramVersion] = field(default_factory=list)
    pilots: list[Pilot] = field(default_factory=list)
    cohort_changes: list[CohortChange] = field(default_factory=list)

    def partner_balances(self, partner_id: str) -> dict[tuple[str, str], Decimal]:
        return {(a, c): v for (p, a, c), v in sorted(self.balances.items()) if p == partner_id and v != 0}


class MemoryLedgerStore:
    def __init__(self, ledger: MemoryLedger) -> None:
        self.ledger = ledger
        self._partners: list[PartnerLedger] = []
        self._deals: list[DealRecord] = []
        self._entries: list[ChainedEntry] = []
        self._deltas: dict[BalanceKey, Decimal] = {}
        self._announced: list[Announcement] = []

    async def load_partners(self, partner_ids: Iterable[str]) -> dict[str, PartnerLedger]:
        return {p: self.ledger.partners[p] for p in partner_ids if p in self.ledger.partners}

    async def load_deals(self, keys: Iterable[DealKey]) -> dict[DealKey, DealRecord]:
        return {k: self.ledger.deals[k] for k in keys if k in self.ledger.deals}

    async def load_programs(self, program_ids: Iterable[str]) -> list[ProgramVersion]:
        wanted = set(program_ids)
        return [v for v in self.ledger.programs if v.program_id in wanted]

    async def load_cohorts(
        self, program_ids: Sequence[str], partner_ids: Sequence[str]
    ) -> tuple[list[Pilot], list[CohortChange]]:
        found = [p for p in self.ledger.pilots if p.base_program_id in program_ids]
        wanted = set(partner_ids)
        return found, [c for c in self.ledger.cohort_changes if c.partner_id in wanted]

    async def save_partners(self, states: Iterable[PartnerLedger]) -> None:
        self._partners.extend(states)

    async def save_deals(self, deals: Iterable[DealRecord]) -> None:
        self._deals.extend(deals)

    async def posted(self, entry_ids: Iterable[str]) -> set[str]:
        wanted = set(entry_ids)
        if not wanted:  # most batches key nothing by its cause: no scan of the whole journal
            return set()
        return {c.entry.entry_id for c in self.ledger.journal if c.entry.entry_id in wanted}

    async def append(self, entries: list[ChainedEntry]) -> None:
        self._entries.extend(entries)

    async def apply_balance_deltas(self, deltas: Mapping[BalanceKey, Decimal]) -> None:
        self._deltas = dict(deltas)

    def publish_entry_posted(self, entry: ChainedEntry) -> None:
        return None

    def announce(self, announcement: Announcement) -> None:
        self._announced.append(announcement)

    def commit(self) -> None:
        for state in self._partners:
            self.ledger.partners[state.partner_id] = state
        for deal in self._deals:
            self.ledger.deals[(deal.partner_id, deal.deal_id)] = deal
        self.ledger.journal.extend(self._entries)
        for key, delta in self._deltas.items():
            self.ledger.balances[key] += delta
        self.ledger.announced.extend(self._announced)


class MemoryReplay:
    """Feed batches like the consumer does: each event id applied once, one 'transaction' per batch."""

    def __init__(
        self,
        programs: Iterable[ProgramVersion] = (),
        *,
        what_if: WhatIf | None = None,
        pilots: Iterable[Pilot] = (),
        cohort_changes: Iterable[CohortChange] = (),
    ) -> None:
        self.ledger = MemoryLedger(programs=list(programs), pilots=list(pilots), cohort_changes=list(cohort_changes))
        self.what_if = what_if
        self.seen: set[str] = set()
        self.rejected: list[Rejected] = []

    async def feed(self, batch: Iterable[Incoming]) -> None:
        fresh: list[Incoming] = []
        for incoming in batch:
            if incoming.event_id not in self.seen:
                self.seen.add(incoming.event_id)
                fresh.append(incoming)
        if not fresh:
            return
        store = MemoryLedgerStore(self.ledger)
        rejected = await project(store, fresh, what_if=self.what_if)
        self.seen.difference_update(r.event_id for r in rejected)  # like the inbox: re-drivable
        self.rejected.extend(rejected)
        store.commit()
