"""Deals, their history and vendor-direct deals in PostgreSQL (SQLAlchemy Core)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from operator import itemgetter
from typing import Any

import orjson
from incentive_contracts.events.deal import ConflictKind, FlagReason, InfluenceKind
from incentive_contracts.money import Money
from servicekit.copy import copy_rows
from servicekit.keyset import fetch_page
from servicekit.pagination import decode_cursor
from sqlalchemy import Text, any_, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.ports import DealQuery, HistoryEntry, Page
from ..domain.deal import ACTIVE_STATUSES, Deal, Flag, Influence, Stage, Status
from ..domain.identity import CustomerIdentity, normalize_product_line
from ..domain.registration import DirectDeal, KnownRegistration
from .tables import deal_history, deals, direct_deals

ACTIVE = [s.value for s in ACTIVE_STATUSES]
COPY_FROM_ROWS = 100  # from this many rows on, COPY (binary, no per-row SQL parameters) is cheaper
DEAL_COLUMNS = [
    "deal_id",
    "partner_id",
    "customer_name",
    "customer_domain",
    "customer_name_key",
    "product_line",
    "product_key",
    "currency",
    "expected_amount",
    "expected_close",
    "registered_on",
    "status",
    "stage",
    "approved_on",
    "approved_by",
    "conflict_kind",
    "conflicts_with",
    "last_progress_on",
    "final_amount",
    "closed_on",
    "lost_reason",
    "rejection_reason",
    "reversed_amount",
    "flags",
    "influence",
    "flagged",
    "source",
]
JSON_DEAL_COLUMNS = frozenset({"conflicts_with", "flags", "influence"})
_in_column_order = itemgetter(*DEAL_COLUMNS)
HISTORY_COLUMNS = ["deal_id", "event_id", "event_type", "occurred_at", "actor", "data"]


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def copy_record(deal: Deal, source: str) -> tuple[Any, ...]:
    """A deals row for COPY (DEAL_COLUMNS order; the JSON columns as JSON text)."""
    row = to_row(deal)
    row["source"] = source
    for column in JSON_DEAL_COLUMNS:
        value = row[column]
        row[column] = _json_text(value) if value else "[]"  # most new deals: no flags, no influence
    return _in_column_order(row)  # type: ignore[no-any-return]


def any_of(column: Any, values: Iterable[str]) -> Any:
    """``column = ANY(:array)``: ONE array parameter, where ``IN (...)`` sends (and PostgreSQL parses
    and plans) one parameter per value, 10,000 of them for a 5,000-deal bulk registration."""
    return column == any_(literal(sorted(values), type_=ARRAY(Text)))


def _customer_filter(table: Any, identities: Iterable[CustomerIdentity]) -> Any:
    identities = list(identities)
    domains = {i.domain for i in identities if i.domain}
    clauses = [any_of(table.c.customer_name_key, {i.name_key for i in identities})]
    if domains:
        clauses.append(any_of(table.c.customer_domain, domains))
    return or_(*clauses)


class SqlDeals:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, deal_id: str, *, for_update: bool = False) -> Deal | None:
        stmt = select(deals).where(deals.c.deal_id == deal_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else to_deal(row._mapping)

    async def existing_ids(self, deal_ids: Iterable[str]) -> set[str]:
        ids = list(deal_ids)
        rows = await self.conn.execute(select(deals.c.deal_id).where(any_of(deals.c.deal_id, ids)))
        return set(rows.scalars())

    async def known_registrations(self, identities: Iterable[CustomerIdentity], since: date) -> list[KnownRegistration]:
        cols = [
            deals.c.deal_id,
            deals.c.partner_id,
            deals.c.customer_name,
            deals.c.customer_domain,
            deals.c.product_key,
            deals.c.status,
            deals.c.registered_on,
        ]
        stmt = select(*cols).where(_customer_filter(deals, identities), deals.c.registered_on >= since)
        return [known_registration(r) for r in (await self.conn.execute(stmt)).all()]

    async def daily_counts(self, partner_ids: Iterable[str], since: date, until: date) -> dict[tuple[str, date], int]:
        stmt = (
            select(deals.c.partner_id, deals.c.registered_on, func.count())
            .where(deals.c.partner_id.in_(sorted(set(partner_ids))), deals.c.registered_on.between(since, until))
            .group_by(deals.c.partner_id, deals.c.registered_on)
        )
        return {(r[0], r[1]): int(r[2]) for r in (await self.conn.execute(stmt)).all()}

    async def rivals(self, identity: CustomerIdentity, product_key: str) -> list[Deal]:
        stmt = (
            select(deals)
            .where(_customer_filter(deals, [identity]), deals.c.product_key == product_key, deals.c.status.in_(ACTIVE))
            .order_by(deals.c.deal_id)
            .with_for_update()
        )
        found = [to_deal(r._mapping) for r in (await self.conn.execute(stmt)).all()]
        return [d for d in found if d.identity.same_customer(identity)]

    async def stale(self, as_of: date, expiry_days: int, limit: int) -> list[Deal]:
        stmt = (
            select(deals)
            .where(
                deals.c.status == Status.APPROVED.value, deals.c.last_progress_on < as_of - timedelta(days=expiry_days)
            )
            .order_by(deals.c.seq)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [to_deal(r._mapping) for r in (await self.conn.execute(stmt)).all()]

    async def save(self, deal: Deal, *, source: str | None = None) -> None:
        values = to_row(deal)
        stmt = insert(deals).values(**values, source=source or "api")
        await self.conn.execute(stmt.on_conflict_do_update(index_elements=["deal_id"], set_=values))

    async def save_many(self, items: Sequence[Deal], *, source: str) -> None:
        if len(items) >= COPY_FROM_ROWS:
            # Each row built as the COPY takes it: PostgreSQL stores the rows sent while the rest are built.
            await copy_rows(self.conn, "deals", DEAL_COLUMNS, (copy_record(deal, source) for deal in items))
        elif items:
            await self.conn.execute(insert(deals), [{**to_row(d), "source": source} for d in items])

    async def record_history(self, rows: list[dict[str, Any]]) -> None:
        """Rows of deal_history; ``data`` is the event's JSON form (a dict, or JSON text for COPY)."""
        if len(rows) >= COPY_FROM_ROWS:
            records = (
                (
                    r["deal_id"],
                    r["event_id"],
                    r["event_type"],
                    r["occurred_at"],
                    r["actor"],
                    r["data"] if isinstance(r["data"], str) else _json_text(r["data"]),
                )
                for r in rows
            )
            await copy_rows(self.conn, "deal_history", HISTORY_COLUMNS, records)
        elif rows:
            await self.conn.execute(insert(deal_history), rows)

    async def history(self, deal_id: str) -> list[HistoryEntry]:
        stmt = select(deal_history).where(deal_history.c.deal_id == deal_id).order_by(deal_history.c.id)
        return [
            HistoryEntry(r.event_id, r.event_type, r.occurred_at, r.actor, r.data)
            for r in (await self.conn.execute(stmt)).all()
        ]

    async def list(self, query: DealQuery) -> Page[Deal]:
        stmt = select(deals)
        if query.partner_id is not None:
            stmt = stmt.where(deals.c.partner_id == query.partner_id)
        if query.stage is not None:
            stmt = stmt.where(deals.c.stage == query.stage.value)
        if query.status is not None:
            stmt = stmt.where(deals.c.status == query.status.value)
        if query.flagged is not None:
            stmt = stmt.where(deals.c.flagged == query.flagged)
        if query.close_from is not None:
            stmt = stmt.where(deals.c.expected_close >= query.close_from)
        if query.close_to is not None:
            stmt = stmt.where(deals.c.expected_close <= query.close_to)
        if query.product_line is not None:
            stmt = stmt.where(deals.c.product_key == normalize_product_line(query.product_line))
        after = decode_cursor(query.cursor)
        key = None if after is None else int(after)
        return await fetch_page(
            self.conn, stmt, deals.c.seq, after=key, limit=query.limit, convert=lambda r: to_deal(r._mapping)
        )


class SqlDirectDeals:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, direct_deal_id: str, *, for_update: bool = False) -> DirectDeal | None:
        stmt = select(direct_deals).where(direct_deals.c.direct_deal_id == direct_deal_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else direct_deal(row._mapping)

    async def add(
        self, deal: DirectDeal, *, customer_name: str, product_line: str, created_by: str, note: str | None
    ) -> None:
        await self.conn.execute(
            insert(direct_deals).values(
                direct_deal_id=deal.direct_deal_id,
                customer_name=customer_name,
                customer_domain=deal.identity.domain,
                customer_name_key=deal.identity.name_key,
                product_line=product_line,
                product_key=deal.product_key,
                registered_on=deal.registered_on,
                status="active" if deal.active else "closed",
                created_by=created_by,
                note=note,
            )
        )

    async def matching(self, identities: Iterable[CustomerIdentity]) -> list[DirectDeal]:
        stmt = select(direct_deals).where(_customer_filter(direct_deals, identities), direct_deals.c.status == "active")
        return [direct_deal(r._mapping) for r in (await self.conn.execute(stmt)).all()]

    async def release(self, direct_deal_ids: Iterable[str], status: str) -> None:
        ids = sorted(set(direct_deal_ids))
        if ids:
            await self.conn.execute(
                update(direct_deals).where(direct_deals.c.direct_deal_id.in_(ids)).values(status=status)
            )


def direct_deal(row: Any) -> DirectDeal:
    return DirectDeal(
        direct_deal_id=row["direct_deal_id"],
        identity=CustomerIdentity(domain=row["customer_domain"], name_key=row["customer_name_key"]),
        product_key=row["product_key"],
        registered_on=row["registered_on"],
        active=row["status"] == "active",
    )


def to_row(deal: Deal) -> dict[str, Any]:
    identity = deal.identity
    return {
        "deal_id": deal.deal_id,
        "partner_id": deal.partner_id,
        "customer_name": deal.customer_name,
        "customer_domain": identity.domain,
        "customer_name_key": identity.name_key,
        "product_line": deal.product_line,
        "product_key": deal.product_key,
        "currency": deal.expected_amount.currency,
        "expected_amount": deal.expected_amount.amount,
        "expected_close": deal.expected_close,
        "registered_on": deal.registered_on,
        "status": deal.status.value,
        "stage": deal.stage.value,
        "approved_on": deal.approved_on,
        "approved_by": deal.approved_by,
        "conflict_kind": deal.conflict_kind.value if deal.conflict_kind else None,
        "conflicts_with": list(deal.conflicts_with),
        "last_progress_on": deal.last_progress_on,
        "final_amount": deal.final_amount.amount if deal.final_amount else None,
        "closed_on": deal.closed_on,
        "lost_reason": deal.lost_reason,
        "rejection_reason": deal.rejection_reason,
        "reversed_amount": deal.reversed_amount,
        "flags": [
            {
                "reason": f.reason.value,
                "detail": f.detail,
                "flagged_on": f.flagged_on.isoformat(),
                "cleared_on": f.cleared_on.isoformat() if f.cleared_on else None,
                "cleared_by": f.cleared_by,
                "confirmed_on": f.confirmed_on.isoformat() if f.confirmed_on else None,
                "confirmed_by": f.confirmed_by,
            }
            for f in deal.flags
        ],
        "influence": [
            {
                "activity_id": a.activity_id,
                "kind": a.kind.value,
                "occurred_on": a.occurred_on.isoformat(),
                "evidence_ref": a.evidence_ref,
            }
            for a in deal.influence
        ],
        "flagged": deal.flagged,
    }


def to_deal(row: Any) -> Deal:
    currency = row["currency"]
    return Deal(
        deal_id=row["deal_id"],
        partner_id=row["partner_id"],
        customer_name=row["customer_name"],
        customer_domain=row["customer_domain"],
        product_line=row["product_line"],
        expected_amount=Money.recorded(row["expected_amount"], currency),
        expected_close=row["expected_close"],
        registered_on=row["registered_on"],
        status=Status(row["status"]),
        stage=Stage(row["stage"]),
        approved_on=row["approved_on"],
        approved_by=row["approved_by"],
        conflict_kind=ConflictKind(row["conflict_kind"]) if row["conflict_kind"] else None,
        conflicts_with=tuple(row["conflicts_with"] or ()),
        last_progress_on=row["last_progress_on"],
        final_amount=Money.recorded(row["final_amount"], currency) if row["final_amount"] is not None else None,
        closed_on=row["closed_on"],
        lost_reason=row["lost_reason"],
        rejection_reason=row["rejection_reason"],
        reversed_amount=Decimal(row["reversed_amount"]),
        flags=tuple(
            Flag(
                FlagReason(f["reason"]),
                f["detail"],
                date.fromisoformat(f["flagged_on"]),
                date.fromisoformat(f["cleared_on"]) if f.get("cleared_on") else None,
                f.get("cleared_by"),
                date.fromisoformat(f["confirmed_on"]) if f.get("confirmed_on") else None,
                f.get("confirmed_by"),
            )
            for f in row["flags"] or ()
        ),
        influence=tuple(
            Influence(
                a["activity_id"], InfluenceKind(a["kind"]), date.fromisoformat(a["occurred_on"]), a["evidence_ref"]
            )
            for a in row["influence"] or ()
        ),
    )


def known_registration(row: Any) -> KnownRegistration:
    """An earlier registration as conflict checks see it, from a row of the deals table's columns."""
    return KnownRegistration(
        row.deal_id,
        row.partner_id,
        CustomerIdentity.of(row.customer_name, row.customer_domain),
        row.product_key,
        Status(row.status),
        row.registered_on,
    )
