"""Read-side queries of payout batches: lists with keyset cursors, lines with the entries they cover."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from incentive_kernel.paging import Page
from servicekit.keyset import fetch_page
from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.payout_ports import Batch, Line
from ..domain.accounts import REBATES_PAYABLE
from .payout_store import batch_of, line_of
from .tables import payout_batches, payout_coverage_ranges, payout_lines, postings


async def batch_page(
    conn: AsyncConnection, *, status: str | None, currency: str | None, after: int | None, limit: int
) -> Page[Batch]:
    """Batches in the order they were cut."""
    stmt = select(payout_batches)
    if status is not None:
        stmt = stmt.where(payout_batches.c.status == status)
    if currency is not None:
        stmt = stmt.where(payout_batches.c.currency == currency)
    return await fetch_page(conn, stmt, payout_batches.c.batch_seq, after=after, limit=limit, convert=batch_of)


async def line_page(
    conn: AsyncConnection, batch_id: str, *, status: str | None, after: str | None, limit: int
) -> Page[Line]:
    """A batch's lines in partner order (one line per partner in a batch)."""
    stmt = select(payout_lines).where(payout_lines.c.batch_id == batch_id)
    if status is not None:
        stmt = stmt.where(payout_lines.c.status == status)
    return await fetch_page(conn, stmt, payout_lines.c.partner_id, after=after, limit=limit, convert=line_of)


async def batch(conn: AsyncConnection, batch_id: str) -> Batch | None:
    row = (await conn.execute(select(payout_batches).where(payout_batches.c.batch_id == batch_id))).first()
    return batch_of(row) if row is not None else None


async def lines(
    conn: AsyncConnection,
    batch_id: str,
    *,
    status: str | None = None,
    partner_id: str | None = None,
    after_partner: str | None = None,
    limit: int | None = None,
) -> list[Line]:
    """The batch's lines in partner order (``partner_id``: only that partner's line)."""
    stmt = select(payout_lines).where(payout_lines.c.batch_id == batch_id).order_by(payout_lines.c.partner_id)
    if status is not None:
        stmt = stmt.where(payout_lines.c.status == status)
    if partner_id is not None:
        stmt = stmt.where(payout_lines.c.partner_id == partner_id)
    if after_partner is not None:
        stmt = stmt.where(payout_lines.c.partner_id > after_partner)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [line_of(r) for r in await conn.execute(stmt)]


async def partner_lines(
    conn: AsyncConnection, partner_id: str, *, after: int | None, limit: int
) -> list[tuple[Line, datetime, int]]:
    """A partner's payout lines with their batch's cutoff and position, newest batch first."""
    stmt = (
        select(payout_lines, payout_batches.c.cutoff, payout_batches.c.batch_seq)
        .join(payout_batches, payout_batches.c.batch_id == payout_lines.c.batch_id)
        .where(payout_lines.c.partner_id == partner_id)
        .order_by(payout_batches.c.batch_seq.desc())
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(payout_batches.c.batch_seq < after)
    return [(line_of(r), r.cutoff, r.batch_seq) for r in await conn.execute(stmt)]


async def covered_entries(conn: AsyncConnection, lines: list[Line]) -> dict[str, list[str]]:
    """The journal entries each open or paid line covers, sorted (a failed line's are released):
    its ranges' payable entries in the line's currency."""
    if not lines:
        return {}
    r, p = payout_coverage_ranges.c, postings.c
    stmt = (
        select(r.line_id, p.entry_id)
        .join(
            postings,
            and_(
                p.partner_id == r.partner_id,
                p.account == func.concat("partner:", r.partner_id, f":{REBATES_PAYABLE}"),
                p.currency == r.currency,
                p.stream == r.stream,
                p.sequence.between(r.from_sequence, r.to_sequence),
            ),
        )
        .where(r.line_id.in_([x.line_id for x in lines]))
        .group_by(r.line_id, p.entry_id)  # an entry may have two payable postings
        .order_by(r.line_id, p.entry_id.collate("C"))
    )
    covered: dict[str, list[str]] = defaultdict(list)
    for row in await conn.execute(stmt):
        covered[row.line_id].append(row.entry_id)
    return covered
