"""SqlLedgerStore: the projector's storage, written for batches (COPY for journal rows)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import orjson
from servicekit.copy import driver_connection
from servicekit.unit_of_work import UnitOfWork
from sqlalchemy import Text, func, select, tuple_

from ..application.ports import BalanceKey, DealKey
from ..domain.accounts import REBATES_PAYABLE
from ..domain.catalog import ProgramVersion
from ..domain.chain import ChainedEntry, ChainHead
from ..domain.cohorts import CohortChange, Pilot
from ..domain.outcome import Announcement
from ..domain.state import DealRecord, PartnerLedger
from .announcements import announced_payload, entry_posted_staging
from .batch_upserts import add_balances, upsert_deals, upsert_partners
from .codec import deal_from_json, partner_from_json
from .cohorts import load_cohorts
from .programs import published_versions
from .tables import balances, chain_heads, journal_entries, ledger_deals, ledger_partners

JOURNAL_COLUMNS = [
    "entry_id",
    "partner_id",
    "stream",
    "sequence",
    "kind",
    "caused_by",
    "deal_id",
    "effective_at",
    "rule_id",
    "rule_version",
    "reverses",
    "explanation",
    "prev_hash",
    "entry_hash",
]


EXPLANATION_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
POSTING_COLUMNS = ["entry_id", "line", "partner_id", "account", "currency", "amount", "effective_at"]
# Each posting also carries its entry's stream and chain position (denormalised for the payout cut).
POSTING_WRITE_COLUMNS = [*POSTING_COLUMNS, "stream", "sequence"]


def journal_record(c: ChainedEntry) -> tuple[Any, ...]:
    """A journal_entries row (in JOURNAL_COLUMNS order)."""
    e = c.entry
    # What json.dumps(..., default=str) in chain.canonical makes of it, by orjson (JSONB keeps the values);
    # the bytes the hash was made with where they were encoded once (the same: only str() defaults).
    explanation = e.explanation.encoded
    if explanation is None:
        explanation = orjson.dumps(e.explanation.document(), option=EXPLANATION_OPTIONS, default=str).decode()
    return (
        e.entry_id,
        e.partner_id,
        e.stream,
        c.sequence,
        e.kind,
        e.caused_by,
        e.deal_id,
        e.effective_at,
        e.rule_id,
        e.rule_version,
        e.reverses,
        explanation,
        c.prev_hash,
        c.entry_hash,
    )


def posting_records(c: ChainedEntry) -> list[tuple[Any, ...]]:
    e = c.entry
    return [
        (e.entry_id, line, e.partner_id, p.account, p.currency, p.amount, e.effective_at, e.stream, c.sequence)
        for line, p in enumerate(e.postings)
    ]


async def copy_journal(driver: Any, entries: Sequence[ChainedEntry]) -> None:
    """Entries and their postings by COPY (asyncpg connection). Each row is built as the COPY takes it,
    so PostgreSQL stores the rows already sent while the rest are built."""
    await driver.copy_records_to_table(
        "journal_entries", columns=JOURNAL_COLUMNS, records=(journal_record(c) for c in entries)
    )
    await driver.copy_records_to_table(
        "postings", columns=POSTING_WRITE_COLUMNS, records=(r for c in entries for r in posting_records(c))
    )


class SqlLedgerStore:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.conn = uow.conn

    async def load_partners(self, partner_ids: Iterable[str]) -> dict[str, PartnerLedger]:
        ids = sorted(partner_ids)
        if not ids:
            return {}
        # Row locks in id order: the tier review command and the projector never interleave on a partner.
        # The state as text, each decoded in turn: a batch's partners never all exist as JSON documents
        # at once (a document of 100 won deals is ~27 KB of dicts and lists, its text ~3 KB).
        columns = ledger_partners.c
        stmt = (
            select(columns.partner_id, columns.program_id, columns.tier, columns.state.cast(Text).label("state"))
            .where(columns.partner_id.in_(ids))
            .order_by("partner_id")
            .with_for_update()
        )
        rows = (await self.conn.execute(stmt)).all()
        states = {
            r.partner_id: partner_from_json(r.partner_id, r.program_id, r.tier, orjson.loads(r.state)) for r in rows
        }
        heads = (await self.conn.execute(select(chain_heads).where(chain_heads.c.partner_id.in_(ids)))).all()
        for h in heads:
            if h.partner_id in states:
                states[h.partner_id] = states[h.partner_id].with_head(h.stream, ChainHead(h.last_sequence, h.head_hash))
        payable = await self.conn.execute(
            select(balances.c.partner_id, balances.c.currency, balances.c.balance).where(
                balances.c.partner_id.in_(ids),
                balances.c.account == func.concat("partner:", balances.c.partner_id, f":{REBATES_PAYABLE}"),
            )
        )
        for row in payable:
            if row.partner_id in states:  # 0 - balance: credit-normal, and never -0
                states[row.partner_id] = states[row.partner_id].with_payable(row.currency, 0 - row.balance)
        return states

    async def load_deals(self, keys: Iterable[DealKey]) -> dict[DealKey, DealRecord]:
        wanted = sorted(keys)
        if not wanted:
            return {}
        stmt = select(ledger_deals).where(tuple_(ledger_deals.c.partner_id, ledger_deals.c.deal_id).in_(wanted))
        rows = (await self.conn.execute(stmt)).all()
        return {(r.partner_id, r.deal_id): deal_from_json(r.partner_id, r.deal_id, r.state) for r in rows}

    async def load_programs(self, program_ids: Iterable[str]) -> list[ProgramVersion]:
        return await published_versions(self.conn, program_ids)

    async def load_cohorts(
        self, program_ids: Sequence[str], partner_ids: Sequence[str]
    ) -> tuple[list[Pilot], list[CohortChange]]:
        return await load_cohorts(self.conn, program_ids, partner_ids)

    async def save_partners(self, states: Iterable[PartnerLedger]) -> None:
        await upsert_partners(await driver_connection(self.conn), states)

    async def save_deals(self, deals: Iterable[DealRecord]) -> None:
        await upsert_deals(await driver_connection(self.conn), deals)

    async def posted(self, entry_ids: Iterable[str]) -> set[str]:
        wanted = sorted(set(entry_ids))
        if not wanted:
            return set()
        found = await self.conn.execute(
            select(journal_entries.c.entry_id).where(journal_entries.c.entry_id.in_(wanted))
        )
        return {row.entry_id for row in found}

    async def append(self, entries: list[ChainedEntry]) -> None:
        if not entries:
            return
        await copy_journal(await driver_connection(self.conn), entries)

    async def apply_balance_deltas(self, deltas: Mapping[BalanceKey, Decimal]) -> None:
        await add_balances(await driver_connection(self.conn), deltas)

    def publish_entry_posted(self, entry: ChainedEntry) -> None:
        payload, time, event_id, causation_id = entry_posted_staging(entry)
        self.uow.publish(payload, time=time, causation_id=causation_id, event_id=event_id)

    def announce(self, announcement: Announcement) -> None:
        self.uow.publish(
            announced_payload(announcement.payload),
            time=announcement.time,
            causation_id=announcement.causation_id,
            event_id=announcement.event_id,
        )
