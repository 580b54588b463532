"""The money read models' SQL writer (the projection's side of ``money_tables``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.money_ports import PayoutLine, StoredAlert, WonDeal
from ..domain.anomalies import Flag, FlagStatus
from ..domain.incentives import EntryFacts
from ..domain.quarters import quarter_of
from .money_tables import alerts, deal_events, entry_postings, flags, payout_lines, won_deals

CHUNK_ROWS = 1000  # rows per multi-row INSERT (asyncpg allows 32767 parameters a statement)


class SqlMoneyWriter:
    """Inserts of new rows (deal events, wins, entry postings, payout lines) are buffered and written
    a few multi-row statements at a time; any read or update flushes them first, so order holds."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self._pending: dict[Table, list[dict[str, Any]]] = {}

    def _buffer(self, table: Table, rows: list[dict[str, Any]]) -> None:
        self._pending.setdefault(table, []).extend(rows)

    async def flush(self) -> None:
        pending, self._pending = self._pending, {}
        for table, rows in pending.items():
            for start in range(0, len(rows), CHUNK_ROWS):
                chunk = rows[start : start + CHUNK_ROWS]
                await self.conn.execute(insert(table).values(chunk).on_conflict_do_nothing())

    async def record_deal_event(self, event_id: str, deal_id: str, partner_id: str, event_type: str) -> None:
        self._buffer(
            deal_events,
            [{"event_id": event_id, "deal_id": deal_id, "partner_id": partner_id, "event_type": event_type}],
        )

    async def record_win(self, deal: WonDeal) -> None:
        row = {
            "deal_id": deal.deal_id,
            "partner_id": deal.partner_id,
            "product_line": deal.product_line,
            "currency": deal.currency,
            "amount": deal.amount,
            "reversed_amount": Decimal(0),
            "closed_on": deal.closed_on,
            "quarter": quarter_of(deal.closed_on),
            "rejected": 0,
        }
        self._buffer(won_deals, [row])  # a re-sent win: the first one stays

    async def record_reversal(self, deal_id: str, amount: Decimal) -> None:
        await self.flush()
        reversed_amount = won_deals.c.reversed_amount + amount
        await self.conn.execute(
            update(won_deals).where(won_deals.c.deal_id == deal_id).values(reversed_amount=reversed_amount)
        )

    async def mark_rejected(self, deal_id: str) -> None:
        await self.flush()
        await self.conn.execute(update(won_deals).where(won_deals.c.deal_id == deal_id).values(rejected=1))

    async def flags_of(self, deal_id: str) -> tuple[Flag, ...]:
        await self.flush()
        rows = (await self.conn.execute(select(flags).where(flags.c.deal_id == deal_id))).all()
        return tuple(flag_of(r) for r in rows)

    async def save_flags(self, deal_id: str, partner_id: str, saved: Sequence[Flag]) -> None:
        await self.conn.execute(delete(flags).where(flags.c.deal_id == deal_id))
        rows = [
            {
                "deal_id": deal_id,
                "reason": f.reason,
                "partner_id": partner_id,
                "detail": f.detail,
                "flagged_on": f.flagged_on,
                "status": f.status.value,
                "decided_by": f.decided_by,
                "decided_on": f.decided_on,
                "note": f.note,
            }
            for f in saved
        ]
        if rows:
            await self.conn.execute(insert(flags).values(rows))

    async def record_entry(self, entry: EntryFacts, effective_at: datetime) -> None:
        rows = [
            {
                "entry_id": entry.entry_id,
                "line": n,
                "partner_id": entry.partner_id,
                "kind": entry.kind,
                "rule_id": entry.rule_id,
                "caused_by": entry.caused_by,
                "effective_at": effective_at,
                "quarter": entry.quarter,
                "account": p.account,
                "currency": p.currency,
                "amount": p.amount,
            }
            for n, p in enumerate(entry.postings)
        ]
        self._buffer(entry_postings, rows)

    async def record_payout_line(self, line: PayoutLine) -> None:
        row = {k: getattr(line, k) for k in payout_lines.c.keys()}  # noqa: SIM118 - column names
        self._buffer(payout_lines, [row])

    async def settle_payout_line(self, line_id: str, reference: str, paid_at: datetime) -> None:
        await self.flush()
        await self.conn.execute(
            update(payout_lines)
            .where(payout_lines.c.line_id == line_id)
            .values(status="paid", payment_reference=reference, paid_at=paid_at)
        )

    async def fail_payout_line(self, line_id: str, reason: str, failed_at: datetime) -> None:
        await self.flush()
        await self.conn.execute(
            update(payout_lines)
            .where(payout_lines.c.line_id == line_id)
            .values(status="failed", failure_reason=reason, failed_at=failed_at)
        )

    async def record_alert(self, alert: StoredAlert) -> bool:
        """Store a raised alert; False when it was already raised (the same drift evaluated again)."""
        await self.flush()
        drift = alert.drift
        row = {
            "alert_id": drift.alert_id,
            "threshold_id": drift.threshold_id,
            "thresholds_version": drift.thresholds_version,
            "indicator": drift.indicator,
            "scope": drift.scope.value,
            "scope_id": drift.subject,
            "partner_id": alert.partner_id,
            "period": drift.period,
            "rule": drift.rule.value,
            "limit_value": str(drift.limit),
            "value": str(drift.value),
            "baseline": None if drift.baseline is None else str(drift.baseline),
            "change": None if drift.change is None else str(drift.change),
            "severity": drift.severity,
            "raised_at": alert.raised_at,
        }
        stmt = insert(alerts).values(row).on_conflict_do_nothing().returning(alerts.c.alert_id)
        return (await self.conn.execute(stmt)).first() is not None

    async def acknowledge_alert(self, alert_id: str, by: str, reason: str, at: datetime) -> None:
        await self.flush()
        await self.conn.execute(
            update(alerts)
            .where(alerts.c.alert_id == alert_id, alerts.c.acknowledged_at.is_(None))
            .values(acknowledged_by=by, acknowledged_reason=reason, acknowledged_at=at)
        )


def flag_of(row: object) -> Flag:
    r = row._mapping  # type: ignore[attr-defined]
    return Flag(
        reason=r["reason"],
        detail=r["detail"],
        flagged_on=r["flagged_on"],
        status=FlagStatus(r["status"]),
        decided_by=r["decided_by"],
        decided_on=r["decided_on"],
        note=r["note"],
    )
