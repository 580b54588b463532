"""ReplaySink: the projector's store for a replay into a fresh database.

A replay is the only writer of its database, so state lives in memory between batches (never read
back), the journal streams out by COPY in large chunks, and balances, partner and deal state and the
chain heads are written once at the end. The digest is taken as entries are produced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import orjson

from ..application.ports import BalanceKey, DealKey
from ..domain.catalog import ProgramVersion
from ..domain.chain import ChainedEntry
from ..domain.cohorts import CohortChange, Pilot
from ..domain.digest import LedgerDigest
from ..domain.outcome import Announcement
from ..domain.state import GOVERNANCE_STREAM, DealRecord, PartnerLedger
from .codec import deal_to_json, partner_to_json
from .store import copy_journal

FLUSH_ENTRIES = 50_000
BULK_TABLES = ("journal_entries", "postings")
CONSTRAINTS = """
SELECT c.conname, c.conrelid::regclass::text AS tbl, pg_get_constraintdef(c.oid) AS def, c.contype::text AS contype
FROM pg_constraint c WHERE c.conrelid::regclass::text = ANY($1::text[]) AND c.contype IN ('p', 'u', 'f')
"""
INDEXES = """
SELECT i.indexname, i.indexdef FROM pg_indexes i
WHERE i.schemaname = current_schema() AND i.tablename = ANY($1::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
"""

# The database's balance check (migration 0008) runs per posting at commit, looking up the posting's
# entry: without the journal's indexes that is a scan per row. A bulk load turns it off and checks
# every entry at once, in one pass, before turning it on again.
BALANCE_TRIGGER = "postings_balanced"
FIND_BALANCE_TRIGGER = """
SELECT tgrelid::regclass::text AS tbl FROM pg_trigger WHERE tgname = $1 AND tgrelid::regclass::text = ANY($2::text[])
"""
CHECK_EVERY_ENTRY_BALANCES = """
DO $$
DECLARE
    off record;
BEGIN
    SELECT entry_id, currency, sum(amount) AS total INTO off FROM postings
    GROUP BY entry_id, currency HAVING sum(amount) <> 0 ORDER BY entry_id, currency LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal entry % does not balance: its % postings sum to %',
            off.entry_id, off.currency, off.total USING ERRCODE = 'check_violation';
    END IF;
END $$
"""


async def defer_indexes(driver: Any, tables: Sequence[str] = BULK_TABLES) -> list[str]:
    """Drop the tables' constraints and indexes and turn the balance check off; the statements that
    bring them back (keys first, then every entry's balance checked in one pass)."""
    constraints = await driver.fetch(CONSTRAINTS, list(tables))
    indexes = await driver.fetch(INDEXES, list(tables))
    for c in sorted(constraints, key=lambda c: c["contype"] != "f"):  # foreign keys go first
        await driver.execute(f'ALTER TABLE {c["tbl"]} DROP CONSTRAINT "{c["conname"]}"')
    for i in indexes:
        await driver.execute(f'DROP INDEX "{i["indexname"]}"')
    restore = [f'ALTER TABLE {c["tbl"]} ADD CONSTRAINT "{c["conname"]}" {c["def"]}'
               for c in sorted(constraints, key=lambda c: c["contype"] == "f")]  # fmt: skip
    restore += [i["indexdef"] for i in indexes]
    for t in await driver.fetch(FIND_BALANCE_TRIGGER, BALANCE_TRIGGER, list(tables)):
        await driver.execute(f'ALTER TABLE {t["tbl"]} DISABLE TRIGGER "{BALANCE_TRIGGER}"')
        restore += [CHECK_EVERY_ENTRY_BALANCES, f'ALTER TABLE {t["tbl"]} ENABLE TRIGGER "{BALANCE_TRIGGER}"']
    return restore


async def restore_indexes(driver: Any, statements: Sequence[str]) -> None:
    for statement in statements:
        await driver.execute(statement)


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
        self.deals: dict[DealKey, DealRecord] = {}
        self.balances: dict[BalanceKey, Decimal] = defaultdict(Decimal)
        self.digest = LedgerDigest()
        self._pending: list[ChainedEntry] = []
        self._restore: list[str] = []
        self._keyed: set[str] = set()  # ids of entries keyed by their cause (dispute compensations): few

    async def posted(self, entry_ids: Iterable[str]) -> set[str]:
        return self._keyed & set(entry_ids)

    async def load_partners(self, partner_ids: Iterable[str]) -> dict[str, PartnerLedger]:
        return {p: self.partners[p] for p in partner_ids if p in self.partners}

    async def load_deals(self, keys: Iterable[DealKey]) -> dict[DealKey, DealRecord]:
        return {k: self.deals[k] for k in keys if k in self.deals}

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
        for deal in deals:
            self.deals[(deal.partner_id, deal.deal_id)] = deal

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
            self._restore = await defer_indexes(self.driver, BULK_TABLES)

    async def _flush(self) -> None:
        if self._pending:
            await copy_journal(self.driver, self._pending)
            self._pending = []

    async def finish(self) -> None:
        await self._flush()
        await restore_indexes(self.driver, self._restore)
        self._restore = []
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
            records=[(s.partner_id, s.program_id, s.tier, orjson.dumps(partner_to_json(s)).decode()) for s in states],
        )
        await self.driver.copy_records_to_table(
            "chain_heads",
            columns=["partner_id", "stream", "last_sequence", "head_hash"],
            records=[(s.partner_id, stream, h.last_sequence, h.head_hash) for s in states for stream, h in s.chains],
        )
        await self.driver.copy_records_to_table(
            "ledger_deals",
            columns=["partner_id", "deal_id", "state"],
            records=[(p, d, orjson.dumps(deal_to_json(deal)).decode()) for (p, d), deal in sorted(self.deals.items())],
        )
