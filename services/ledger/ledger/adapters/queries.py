"""Read-side queries: partners, balances (now or as of a time), entries, statement lines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.queries import BalanceLine, EntryFilter, PartnerRow
from .tables import balances, journal_entries, ledger_partners, postings


def _own_accounts(partner_id: str) -> Any:
    return f"partner:{partner_id}:%"


async def partner(conn: AsyncConnection, partner_id: str) -> PartnerRow | None:
    row = (await conn.execute(select(ledger_partners).where(ledger_partners.c.partner_id == partner_id))).first()
    return PartnerRow(row.partner_id, row.program_id, row.tier, row.state) if row is not None else None


async def partner_known(conn: AsyncConnection, partner_id: str) -> bool:
    return await partner(conn, partner_id) is not None


async def partner_balances(conn: AsyncConnection, partner_id: str, as_of: datetime | None = None) -> list[BalanceLine]:
    """The partner's own accounts; ``as_of`` sums postings effective up to that time."""
    if as_of is None:
        stmt = (
            select(balances.c.account, balances.c.currency, balances.c.balance)
            .where(balances.c.partner_id == partner_id, balances.c.account.like(_own_accounts(partner_id)))
            .order_by(balances.c.account, balances.c.currency)
        )
    else:
        stmt = (
            select(postings.c.account, postings.c.currency, func.sum(postings.c.amount).label("balance"))
            .where(
                postings.c.partner_id == partner_id,
                postings.c.account.like(_own_accounts(partner_id)),
                postings.c.effective_at <= as_of,
            )
            .group_by(postings.c.account, postings.c.currency)
            .order_by(postings.c.account, postings.c.currency)
        )
    return [BalanceLine(r.account, r.currency, r.balance) for r in (await conn.execute(stmt)).all()]


async def opening_balances(
    conn: AsyncConnection, partner_id: str, before: datetime, currency: str | None
) -> list[BalanceLine]:
    conditions = [
        postings.c.partner_id == partner_id,
        postings.c.account.like(_own_accounts(partner_id)),
        postings.c.effective_at < before,
    ]
    if currency:
        conditions.append(postings.c.currency == currency)
    stmt = (
        select(postings.c.account, postings.c.currency, func.sum(postings.c.amount).label("balance"))
        .where(*conditions)
        .group_by(postings.c.account, postings.c.currency)
        .order_by(postings.c.account, postings.c.currency)
    )
    return [BalanceLine(r.account, r.currency, r.balance) for r in (await conn.execute(stmt)).all()]


async def statement_lines(
    conn: AsyncConnection, partner_id: str, start: datetime, end: datetime, currency: str | None
) -> list[Any]:
    """Postings on the partner's own accounts effective in [start, end), with their entries."""
    conditions = [
        postings.c.partner_id == partner_id,
        postings.c.account.like(_own_accounts(partner_id)),
        postings.c.effective_at >= start,
        postings.c.effective_at < end,
    ]
    if currency:
        conditions.append(postings.c.currency == currency)
    stmt = (
        select(
            postings.c.entry_id,
            postings.c.line,
            postings.c.account,
            postings.c.currency,
            postings.c.amount,
            postings.c.effective_at,
            journal_entries.c.kind,
            journal_entries.c.deal_id,
            journal_entries.c.explanation,
            journal_entries.c.reverses,
            journal_entries.c.posted_seq,
        )
        .join(journal_entries, journal_entries.c.entry_id == postings.c.entry_id)
        .where(*conditions)
        .order_by(postings.c.effective_at, journal_entries.c.posted_seq, postings.c.line)
    )
    return list((await conn.execute(stmt)).all())


def entries_query(f: EntryFilter) -> Select[Any]:
    """The entries the filter selects (``after_seq`` aside: the page is cut by the caller)."""
    conditions = []
    if f.partner_id is not None:
        conditions.append(journal_entries.c.partner_id == f.partner_id)
    if f.deal_id is not None:
        conditions.append(journal_entries.c.deal_id == f.deal_id)
    if f.kind is not None:
        conditions.append(journal_entries.c.kind == f.kind)
    if f.caused_by is not None:
        conditions.append(journal_entries.c.caused_by == f.caused_by)
    if f.effective_from is not None:
        conditions.append(journal_entries.c.effective_at >= f.effective_from)
    if f.effective_to is not None:
        conditions.append(journal_entries.c.effective_at <= f.effective_to)
    if f.account is not None or f.currency is not None:
        posting_conditions = [postings.c.entry_id == journal_entries.c.entry_id]
        if f.account is not None:
            posting_conditions.append(postings.c.account == f.account)
        if f.currency is not None:
            posting_conditions.append(postings.c.currency == f.currency)
        conditions.append(select(postings.c.entry_id).where(and_(*posting_conditions)).exists())
    return select(journal_entries).where(*conditions)


async def entry(conn: AsyncConnection, entry_id: str) -> Any | None:
    return (await conn.execute(select(journal_entries).where(journal_entries.c.entry_id == entry_id))).first()


async def entry_postings(conn: AsyncConnection, entry_ids: list[str]) -> dict[str, list[Any]]:
    if not entry_ids:
        return {}
    stmt = select(postings).where(postings.c.entry_id.in_(entry_ids)).order_by(postings.c.entry_id, postings.c.line)
    grouped: dict[str, list[Any]] = {e: [] for e in entry_ids}
    for row in (await conn.execute(stmt)).all():
        grouped[row.entry_id].append(row)
    return grouped


async def reversed_by(conn: AsyncConnection, entry_id: str) -> list[Any]:
    stmt = select(journal_entries).where(journal_entries.c.reverses == entry_id).order_by(journal_entries.c.posted_seq)
    return list((await conn.execute(stmt)).all())


async def all_partner_ids(conn: AsyncConnection) -> list[str]:
    rows = await conn.execute(select(ledger_partners.c.partner_id).order_by(ledger_partners.c.partner_id))
    return [r.partner_id for r in rows]
