"""ReplaySink: the projector's store for a replay into a fresh database.

A replay is the only writer of its database, so state lives in memory between batches, the journal
streams out by COPY in chunks as it is produced, deal states past a bounded number are written to
their table as they go cold (``SpillingDeals``), and balances, partner state and the chain heads are
written once at the end. The digest is taken as entries are produced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from servicekit.db import json_text

from ..application.ports import BalanceKey, DealKey
from ..domain.catalog import ProgramVersion
from ..domain.chain import ChainedEntry
from ..domain.cohorts import CohortChange, Pilot
from ..domain.digest import LedgerDigest
from ..domain.outcome import Announcement
from ..domain.state import GOVERNANCE_STREAM, DealRecord, PartnerLedger
from .codec import partner_to_json
from .replay_deals import SpillingDeals
from .replay_indexes import Deferred, defer_indexes, restore_indexes
from .store import copy_journal

FLUSH_ENTRIES = 10_000  # journal entries held before a COPY (each holds its explanation text)


class ReplaySink:
    def __init__(
        self,
        driver: Any,  # an asyncpg connection to the fresh database
        programs: Sequence[ProgramVersion],
        pilots: Sequence[Pilot] = (),
        changes: Sequence[CohortChange] = (),
        *,
        owns_indexes: bool = True,
    ) -> None:
        """``owns_indexes=False``: one of several workers sharing the database; their coordinator
        takes the journal's indexes off before they start and puts them back after."""
        self.driver = driver
        self.owns_indexes = owns_indexes
        self.programs = list(programs)
        self.pilots = list(pilots)
        self.changes: dict[str, list[CohortChange]] = defaultdict(list)
        for change in changes:
            self.changes[change.partner_id].append(change)
        self.partners: dict[str, PartnerLedger] = {}
        self.deals = SpillingDeals(driver)
        self.balances: dict[BalanceKey, Decimal] = defaultdict(Decimal)
        self.digest = LedgerDigest()
        self._pending: list[ChainedEntry] = []
        self._restore: Deferred | None = None
        self._keyed: set[str] = set()  # ids of entries keyed by their cause (dispute compensations): few

    async def posted(self, entry_ids: Iterable[str]) -> set[str]:
        return self._keyed & set(entry_ids)

    async def load_partners(self, partner_ids: Iterable[str]) -> dict[str, PartnerLedger]:
        return {p: self.partners[p] for p in partner_ids if p in self.partners}

    async def load_deals(self, keys: Iterable[DealKey]) -> dict[DealKey, DealRecord]:
        return await self.deals.load(keys)

    async def load_programs(self, program_ids: Iterable[str]) -> list[ProgramVersion]:
        wanted = set(program_ids)
        return [v for v in self.programs if v.program_id in wanted]

    async def load_cohorts(
        self, program_ids: Sequence[str], partner_ids: Sequence[str]
    ) -> tuple[list[Pilot], list[CohortChange]]:
        found = [p for p in self.pilots if p.base_program_id in program_ids]
        return found, [c for p in partner_ids for c in self.changes.get(p, [])] if found else []

    async def save_partners(self, states: Iterable[PartnerLedger]) -> None:
        for state in states:
            self.partners[state.partner_id] = state

    async def save_deals(self, deals: Iterable[DealRecord]) -> None:
        await self.deals.save(deals)

    async def append(self, entries: list[ChainedEntry]) -> None:
        for c in entries:
            e = c.entry
            if e.stream == GOVERNANCE_STREAM:
                self._keyed.add(e.entry_id)
            self.digest.add_entry(e.partner_id, e.stream, c.sequence, e.entry_id, c.entry_hash, c.entry_hash)
        self._pending.extend(entries)
        if len(self._pending) >= FLUSH_ENTRIES:
            await self._flush()

    async def apply_balance_deltas(self, deltas: Mapping[BalanceKey, Decimal]) -> None:
        for key, delta in deltas.items():
            self.balances[key] += delta

    def publish_entry_posted(self, entry: ChainedEntry) -> None:
        return None  # a replay announces nothing: the live ledger did

    def announce(self, announcement: Announcement) -> None:
        return None

    async def start(self) -> None:
        """Take the journal's indexes and constraints off while it loads (they are rebuilt, and checked,
        in bulk by ``finish``): a fresh database, and a replay in one transaction."""
        if self.owns_indexes:
            self._restore = await defer_indexes(self.driver)

    async def _flush(self) -> None:
        if self._pending:
            await copy_journal(self.driver, self._pending)
            self._pending = []

    async def finish(self) -> None:
        await self._flush()
        if self._restore is not None:
            await restore_indexes(self.driver, self._restore)
            self._restore = None
        ordered = sorted(self.balances.items())
        await self.driver.copy_records_to_table(
            "balances",
            columns=["partner_id", "account", "currency", "balance"],
            records=[(p, a, c, v) for (p, a, c), v in ordered],
        )
        for (p, a, c), v in ordered:
            self.digest.add_balance(p, a, c, v)
        states = [self.partners[p] for p in sorted(self.partners)]
        await self.driver.copy_records_to_table(
            "ledger_partners",
            columns=["partner_id", "program_id", "tier", "state"],
            records=((s.partner_id, s.program_id, s.tier, json_text(partner_to_json(s))) for s in states),
        )
        await self.driver.copy_records_to_table(
            "chain_heads",
            columns=["partner_id", "stream", "last_sequence", "head_hash"],
            records=[(s.partner_id, stream, h.last_sequence, h.head_hash) for s in states for stream, h in s.chains],
        )
        await self.deals.finish()
