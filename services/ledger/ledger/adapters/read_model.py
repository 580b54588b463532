"""The SQL implementation of the read port (``application.queries.LedgerQueries``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any

from incentive_kernel.paging import Page
from servicekit.keyset import fetch_page
from servicekit.pagination import encode_cursor
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..application.payout_ports import Batch
from ..application.programs import StoredVersion
from ..application.queries import (
    BalanceLine,
    BatchLines,
    ChainHeadView,
    ConsumedEvent,
    CoveredLine,
    EntryFilter,
    EntryLinks,
    EntryView,
    GroupReport,
    PartnerPayoutLine,
    PartnerRow,
    PartnerStatementData,
    PeriodTotals,
    PilotReport,
    PilotView,
    PostingView,
    StoredSimulation,
)
from ..domain.catalog import ProgramVersion
from ..domain.cohorts import members_during
from . import audit_queries, payout_queries, pilot_queries, queries
from . import reconciliation_queries as sums
from .cohorts import pilot_of
from .programs import SqlProgramVersions, published_versions
from .reconciliation_runs import latest_run
from .tables import journal_entries


def _entry(row: Any, postings: list[Any]) -> EntryView:
    return EntryView(
        entry_id=row.entry_id,
        partner_id=row.partner_id,
        stream=row.stream,
        sequence=row.sequence,
        kind=row.kind,
        deal_id=row.deal_id,
        caused_by=row.caused_by,
        effective_at=row.effective_at,
        rule_id=row.rule_id,
        rule_version=row.rule_version,
        reverses=row.reverses,
        explanation=row.explanation,
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
        posted_seq=row.posted_seq,
        postings=[PostingView(p.account, p.currency, p.amount) for p in postings],
    )


async def _entries_with_postings(conn: AsyncConnection, rows: Sequence[Any]) -> list[EntryView]:
    postings = await queries.entry_postings(conn, [r.entry_id for r in rows])
    return [_entry(r, postings[r.entry_id]) for r in rows]


class EngineProgramVersions:
    """Program versions read in a connection of their own per call (the read side of the catalogue)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def get(self, program_id: str, version: int, *, for_update: bool = False) -> StoredVersion | None:
        async with self.engine.connect() as conn:
            return await SqlProgramVersions(conn).get(program_id, version)

    async def list(self, program_id: str | None = None) -> list[StoredVersion]:
        async with self.engine.connect() as conn:
            return await SqlProgramVersions(conn).list(program_id)


class SqlLedgerQueries:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.programs = EngineProgramVersions(engine)

    async def partner(self, partner_id: str) -> PartnerRow | None:
        async with self.engine.connect() as conn:
            return await queries.partner(conn, partner_id)

    async def all_partner_ids(self) -> list[str]:
        async with self.engine.connect() as conn:
            return await queries.all_partner_ids(conn)

    async def partner_balances(self, partner_id: str, as_of: datetime | None) -> list[BalanceLine] | None:
        async with self.engine.connect() as conn:
            if await queries.partner(conn, partner_id) is None:
                return None
            return await queries.partner_balances(conn, partner_id, as_of)

    async def partner_statement(
        self, partner_id: str, start: datetime, end: datetime, currency: str | None
    ) -> PartnerStatementData | None:
        async with self.engine.connect() as conn:
            if await queries.partner(conn, partner_id) is None:
                return None
            opening = await queries.opening_balances(conn, partner_id, start, currency)
            lines = await queries.statement_lines(conn, partner_id, start, end, currency)
        return PartnerStatementData(opening, lines)

    async def entries(self, where: EntryFilter, limit: int) -> Page[EntryView]:
        async with self.engine.connect() as conn:
            stmt = queries.entries_query(where)
            key = journal_entries.c.posted_seq
            rows = await fetch_page(conn, stmt, key, after=where.after_seq, limit=limit, convert=lambda r: r)
            return Page(await _entries_with_postings(conn, rows.items), rows.next_cursor)

    async def entry(self, entry_id: str) -> EntryView | None:
        async with self.engine.connect() as conn:
            row = await queries.entry(conn, entry_id)
            return None if row is None else (await _entries_with_postings(conn, [row]))[0]

    async def entry_links(self, entry_id: str) -> EntryLinks | None:
        async with self.engine.connect() as conn:
            row = await queries.entry(conn, entry_id)
            if row is None:
                return None
            original = await queries.entry(conn, row.reverses) if row.reverses else None
            later = await queries.reversed_by(conn, entry_id)
            return EntryLinks(
                (await _entries_with_postings(conn, [row]))[0],
                _entry(original, []) if original is not None else None,
                [_entry(r, []) for r in later],
            )

    async def published_versions(self, program_ids: Sequence[str]) -> list[ProgramVersion]:
        async with self.engine.connect() as conn:
            return await published_versions(conn, program_ids)

    async def payout_batches(
        self, *, status: str | None, currency: str | None, after: int | None, limit: int
    ) -> Page[Batch]:
        async with self.engine.connect() as conn:
            return await payout_queries.batch_page(conn, status=status, currency=currency, after=after, limit=limit)

    async def payout_batch(self, batch_id: str) -> Batch | None:
        async with self.engine.connect() as conn:
            return await payout_queries.batch(conn, batch_id)

    async def batch_lines(
        self, batch_id: str, *, status: str | None, after_partner: str | None, limit: int
    ) -> BatchLines | None:
        async with self.engine.connect() as conn:
            batch = await payout_queries.batch(conn, batch_id)
            if batch is None:
                return None
            page = await payout_queries.line_page(conn, batch_id, status=status, after=after_partner, limit=limit)
            covered = await payout_queries.covered_entries(conn, page.items)
        items = [CoveredLine(x, covered.get(x.line_id, [])) for x in page.items]
        return BatchLines(batch, Page(items, page.next_cursor))

    async def batch_line_chunks(
        self, batch_id: str, *, status: str | None, chunk: int
    ) -> AsyncIterator[list[CoveredLine]]:
        after: str | None = None
        async with self.engine.connect() as conn:
            while True:
                lines = await payout_queries.lines(conn, batch_id, status=status, after_partner=after, limit=chunk)
                covered = await payout_queries.covered_entries(conn, lines)
                yield [CoveredLine(x, covered.get(x.line_id, [])) for x in lines]
                if len(lines) < chunk:
                    return
                after = lines[-1].partner_id

    async def partner_payouts(
        self, partner_id: str, *, after: int | None, limit: int
    ) -> Page[PartnerPayoutLine] | None:
        async with self.engine.connect() as conn:
            if not await queries.partner_known(conn, partner_id):
                return None
            rows = await payout_queries.partner_lines(conn, partner_id, after=after, limit=limit + 1)
        page = rows[:limit]
        items = [PartnerPayoutLine(line, cutoff) for line, cutoff, _ in page]
        return Page(items, encode_cursor(page[-1][2]) if len(rows) > limit else None)

    async def pilots(self) -> list[PilotView]:
        async with self.engine.connect() as conn:
            rows = await pilot_queries.all_pilots(conn)
        return [PilotView(pilot_of(r), r.description) for r in rows]

    async def pilot(self, pilot_id: str) -> PilotView:
        async with self.engine.connect() as conn:
            row = await pilot_queries.pilot(conn, pilot_id)
        return PilotView(pilot_of(row), row.description)

    async def cohort_members(self, tag: str, on: date) -> list[str]:
        async with self.engine.connect() as conn:
            changes = await pilot_queries.tag_changes(conn, [tag])
        return sorted(members_during(changes, tag, on, on))

    async def pilot_report(
        self, pilot_id: str, period_from: date | None, period_to: date | None, today: date
    ) -> PilotReport:
        async with self.engine.connect() as conn:
            row = await pilot_queries.pilot(conn, pilot_id)
            start = period_from or row.starts_on
            end = period_to or row.ends_on or today
            groups = []
            for tag in (row.cohort_tag, row.control_tag):
                partners, metrics = await pilot_queries.group_report(conn, tag, start, end)
                groups.append(GroupReport(tag, sorted(partners), list(metrics.values())))
        return PilotReport(PilotView(pilot_of(row), row.description), start, end, groups[0], groups[1])

    async def simulations(self, *, partner_scope: str | None, after: int | None, limit: int) -> Page[StoredSimulation]:
        async with self.engine.connect() as conn:
            return await audit_queries.simulation_page(conn, partner_scope=partner_scope, after=after, limit=limit)

    async def simulation(self, simulation_id: str, *, partner_scope: str | None) -> StoredSimulation | None:
        async with self.engine.connect() as conn:
            return await audit_queries.simulation(conn, simulation_id, partner_scope)

    async def consumed_events(
        self, *, topic: str | None, partner_id: str | None, event_type: str | None, after: int | None, limit: int
    ) -> Page[ConsumedEvent]:
        async with self.engine.connect() as conn:
            return await audit_queries.consumed_page(
                conn, topic=topic, partner_id=partner_id, event_type=event_type, after=after, limit=limit
            )

    async def chain_heads(
        self, *, partner_id: str | None, after: tuple[str, str] | None, limit: int
    ) -> Page[ChainHeadView]:
        async with self.engine.connect() as conn:
            return await audit_queries.chain_head_page(conn, partner_id=partner_id, after=after, limit=limit)

    async def period_totals(self, period: str, start: datetime, end: datetime) -> PeriodTotals:
        async with self.engine.connect() as conn:
            return PeriodTotals(
                await sums.posting_sums(conn, start, end),
                await sums.payout_records(conn, start, end),
                await sums.period_forecasts(conn, period),
            )

    async def latest_reconciliation_run(self) -> dict[str, Any] | None:
        async with self.engine.connect() as conn:
            return await latest_run(conn)
