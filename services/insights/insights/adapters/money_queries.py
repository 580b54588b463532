"""The money read models' SQL queries: ROI facts, alerts, the anomaly queue and payout batches."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from incentive_kernel.paging import Page
from servicekit.keyset import fetch_page
from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.money_ports import PayoutBatch, PayoutLine, QueueItem, RoiFacts, StoredAlert, WonDeal
from ..domain.anomalies import deal_status, held_amounts
from ..domain.drift import drift_of
from ..domain.incentives import DealFacts, EntryFacts, Posting
from ..domain.quarters import quarter_of
from .money_store import flag_of
from .money_tables import alerts, deal_events, entry_postings, flags, payout_lines, won_deals
from .tables import partners
from .versions import read_model_version


class SqlRoiQueries:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def version(self) -> int:
        return await read_model_version(self.conn)

    async def currencies(self) -> list[str]:
        stmt = select(entry_postings.c.currency).distinct().order_by(entry_postings.c.currency)
        return list((await self.conn.execute(stmt)).scalars())

    async def facts(self, currency: str) -> RoiFacts:
        won_rows = (await self.conn.execute(select(won_deals).where(won_deals.c.currency == currency))).all()
        won = [WonDeal(r.deal_id, r.partner_id, r.product_line, r.currency, r.amount, r.closed_on) for r in won_rows]
        net = {r.deal_id: Decimal(0) if r.rejected else r.amount - r.reversed_amount for r in won_rows}
        rows = (
            await self.conn.execute(
                select(entry_postings)
                .where(entry_postings.c.currency == currency)
                .order_by(entry_postings.c.entry_id, entry_postings.c.line)
            )
        ).all()
        grouped: dict[str, list[Any]] = defaultdict(list)
        for r in rows:
            grouped[r.entry_id].append(r)
        entries = tuple(
            EntryFacts(
                lines[0].entry_id,
                lines[0].partner_id,
                lines[0].kind,
                lines[0].rule_id,
                lines[0].caused_by,
                lines[0].quarter,
                tuple(Posting(r.account, r.currency, r.amount) for r in lines),
            )
            for lines in grouped.values()
        )
        # A subquery, not a list of ids: a program's causes exceed the 32,767 parameters one statement takes.
        causes = select(entry_postings.c.caused_by).where(entry_postings.c.currency == currency)
        mapping = (
            await self.conn.execute(
                select(deal_events.c.event_id, deal_events.c.deal_id).where(deal_events.c.event_id.in_(causes))
            )
        ).all()
        deals = {w.deal_id: DealFacts(w.deal_id, w.product_line, quarter_of(w.closed_on)) for w in won}
        return RoiFacts(entries, {m.event_id: m.deal_id for m in mapping}, deals, tuple(won), net, await self._known())

    async def _known(self) -> dict[str, str]:
        known: dict[str, str] = {}
        for r in (await self.conn.execute(select(partners.c.partner_id, partners.c.enrolled_on))).all():
            known[r.partner_id] = quarter_of(r.enrolled_on)
        first_win = select(won_deals.c.partner_id, func.min(won_deals.c.closed_on).label("first")).group_by(
            won_deals.c.partner_id
        )
        for r in (await self.conn.execute(first_win)).all():
            known.setdefault(r.partner_id, quarter_of(r.first))
        return known


def alert_of_row(r: Any) -> StoredAlert:
    drift = drift_of({**r._mapping, "limit": r.limit_value})
    return StoredAlert(drift, r.partner_id, r.raised_at, r.acknowledged_by, r.acknowledged_reason, r.acknowledged_at)


class SqlAlertQueries:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def page(
        self, *, after: int | None, limit: int, partner_id: str | None, open_only: bool, indicator: str | None
    ) -> Page[StoredAlert]:
        stmt = select(alerts)
        if partner_id is not None:
            stmt = stmt.where(alerts.c.partner_id == partner_id)
        if open_only:
            stmt = stmt.where(alerts.c.acknowledged_at.is_(None))
        if indicator is not None:
            stmt = stmt.where(alerts.c.indicator == indicator)
        return await fetch_page(self.conn, stmt, alerts.c.seq, after=after, limit=limit, convert=alert_of_row)

    async def get(self, alert_id: str) -> StoredAlert | None:
        row = (await self.conn.execute(select(alerts).where(alerts.c.alert_id == alert_id))).first()
        return None if row is None else alert_of_row(row)

    async def open_count(self) -> list[tuple[str, str, str, int]]:
        stmt = (
            select(alerts.c.indicator, alerts.c.scope, alerts.c.severity, func.count())
            .where(alerts.c.acknowledged_at.is_(None))
            .group_by(alerts.c.indicator, alerts.c.scope, alerts.c.severity)
        )
        return [(r[0], r[1], r[2], r[3]) for r in (await self.conn.execute(stmt)).all()]


_CONFIRMED = func.bool_or(flags.c.status == "confirmed")
_OPEN = func.bool_or(flags.c.status == "open")
_STATUS_FILTERS = {
    "confirmed": _CONFIRMED,
    "open": and_(_OPEN, ~_CONFIRMED),
    "cleared": and_(~_OPEN, ~_CONFIRMED),
}


class SqlAnomalyQueries:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def page(
        self, *, after: str | None, limit: int, partner_id: str | None, status: str | None
    ) -> Page[QueueItem]:
        stmt: Select[Any] = select(flags.c.deal_id).group_by(flags.c.deal_id)
        if partner_id is not None:
            stmt = stmt.where(flags.c.partner_id == partner_id)
        if status is not None:
            stmt = stmt.having(_STATUS_FILTERS[status])
        ids = await fetch_page(self.conn, stmt, flags.c.deal_id, after=after, limit=limit, convert=lambda r: str(r[0]))
        items = await self._items(ids.items)
        return Page([items[i] for i in ids.items if i in items], ids.next_cursor)

    async def get(self, deal_id: str) -> QueueItem | None:
        return (await self._items([deal_id])).get(deal_id)

    async def _items(self, deal_ids: list[str]) -> dict[str, QueueItem]:
        if not deal_ids:
            return {}
        flag_rows = (
            await self.conn.execute(select(flags).where(flags.c.deal_id.in_(deal_ids)).order_by(flags.c.reason))
        ).all()
        held_rows = (
            await self.conn.execute(
                select(
                    deal_events.c.deal_id, entry_postings.c.account, entry_postings.c.currency, entry_postings.c.amount
                )
                .join(deal_events, deal_events.c.event_id == entry_postings.c.caused_by)
                .where(deal_events.c.deal_id.in_(deal_ids), entry_postings.c.account.like("partner:%:%_held"))
            )
        ).all()
        won_rows = (await self.conn.execute(select(won_deals).where(won_deals.c.deal_id.in_(deal_ids)))).all()
        won = {
            r.deal_id: WonDeal(r.deal_id, r.partner_id, r.product_line, r.currency, r.amount, r.closed_on)
            for r in won_rows
        }
        by_deal: dict[str, list[Any]] = defaultdict(list)
        for r in flag_rows:
            by_deal[r.deal_id].append(r)
        held: dict[str, list[tuple[str, str, Decimal]]] = defaultdict(list)
        for r in held_rows:
            held[r.deal_id].append((r.account, r.currency, r.amount))
        items = {}
        for deal_id, rows in by_deal.items():
            deal_flags = tuple(flag_of(r) for r in rows)
            items[deal_id] = QueueItem(
                deal_id=deal_id,
                partner_id=rows[0].partner_id,
                status=deal_status(deal_flags).value,
                flags=deal_flags,
                held=tuple(held_amounts(held[deal_id])),
                won=won.get(deal_id),
            )
        return items


def line_of(r: Any) -> PayoutLine:
    return PayoutLine(**{k: r._mapping[k] for k in payout_lines.c.keys()})  # noqa: SIM118 - column names


_IN_PAYMENT = func.coalesce(func.sum(case((payout_lines.c.status == "in_payment", payout_lines.c.amount))), 0)
_BATCHES: Select[Any] = select(
    payout_lines.c.batch_id,
    func.min(payout_lines.c.currency).label("currency"),
    func.min(payout_lines.c.cutoff).label("cutoff"),
    func.min(payout_lines.c.batched_at).label("batched_at"),
    func.count().label("lines"),
    func.sum(payout_lines.c.amount).label("total"),
    _IN_PAYMENT.label("in_payment"),
    func.coalesce(func.sum(case((payout_lines.c.status == "paid", payout_lines.c.amount))), 0).label("paid"),
    func.coalesce(func.sum(case((payout_lines.c.status == "failed", payout_lines.c.amount))), 0).label("failed"),
).group_by(payout_lines.c.batch_id)


def batch_of(r: Any) -> PayoutBatch:
    status = "open" if r.open_lines > 0 else "settled"
    return PayoutBatch(
        r.batch_id, r.currency, r.cutoff, r.batched_at, status, r.lines, r.total, r.in_payment, r.paid, r.failed
    )


class SqlPayoutQueries:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    def _batches(self) -> Select[Any]:
        open_lines = func.count().filter(payout_lines.c.status == "in_payment").label("open_lines")
        return _BATCHES.add_columns(open_lines)

    async def batches(
        self, *, after: str | None, limit: int, status: str | None, currency: str | None
    ) -> Page[PayoutBatch]:
        stmt = self._batches()
        if currency is not None:
            stmt = stmt.where(payout_lines.c.currency == currency)
        in_payment = func.count().filter(payout_lines.c.status == "in_payment")
        if status == "open":
            stmt = stmt.having(in_payment > 0)
        elif status == "settled":
            stmt = stmt.having(in_payment == 0)
        return await fetch_page(self.conn, stmt, payout_lines.c.batch_id, after=after, limit=limit, convert=batch_of)

    async def batch(self, batch_id: str) -> PayoutBatch | None:
        row = (await self.conn.execute(self._batches().where(payout_lines.c.batch_id == batch_id))).first()
        return None if row is None else batch_of(row)

    async def lines(self, batch_id: str, *, after: str | None, limit: int, partner_id: str | None) -> Page[PayoutLine]:
        stmt = select(payout_lines).where(payout_lines.c.batch_id == batch_id)
        if partner_id is not None:
            stmt = stmt.where(payout_lines.c.partner_id == partner_id)
        return await fetch_page(self.conn, stmt, payout_lines.c.line_id, after=after, limit=limit, convert=line_of)
