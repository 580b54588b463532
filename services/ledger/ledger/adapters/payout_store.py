"""SqlPayoutStore: payout batches written set-based (temp tables, COPY), never row by row in Python.

Partners are locked through their ``ledger_partners`` row in id order, the same lock and order the
projector takes, so a cut or an acknowledgement and a projector batch serialize per partner.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncGenerator, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from servicekit.copy import copy_rows, driver_connection
from servicekit.unit_of_work import UnitOfWork
from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert

from ..application.payout_ports import Batch, Line, LockedPartner, PartnerDue, PreparedAnnouncements
from ..application.ports import BalanceKey
from ..domain.chain import ChainedEntry, ChainHead
from ..domain.payouts import PayoutAction, PayoutKind
from ..domain.state import PAYOUT_STREAM, REGISTRATION_STREAM
from .announcements import Staging
from .batch_upserts import upsert_heads
from .payout_announcements import action_events, cut_events
from .payout_cut import COVER, UNCOVER
from .payout_measure import lock_and_measure
from .store import SqlLedgerStore
from .tables import chain_heads, payout_batches, payout_lines

LINE_COLUMNS = [
    "line_id",
    "batch_id",
    "partner_id",
    "currency",
    "amount",
    "payee_reference",
    "entries_covered",
    "coverage_hash",
    "cut_entry_id",
    "registration_sequence",
    "status",
]


def batch_of(row: Any) -> Batch:
    return Batch(
        batch_id=row.batch_id,
        batch_seq=row.batch_seq,
        currency=row.currency,
        cutoff=row.cutoff,
        minimum_amount=row.minimum_amount,
        status=row.status,
        line_count=row.line_count,
        total=row.total,
        content_hash=row.content_hash,
        created_at=row.created_at,
        created_by=row.created_by,
        settled_at=row.settled_at,
    )


def line_of(row: Any) -> Line:
    return Line(
        line_id=row.line_id,
        batch_id=row.batch_id,
        partner_id=row.partner_id,
        currency=row.currency,
        amount=row.amount,
        payee_reference=row.payee_reference,
        entries_covered=row.entries_covered,
        coverage_hash=row.coverage_hash,
        cut_entry_id=row.cut_entry_id,
        status=row.status,
        payment_reference=row.payment_reference,
        failure_reason=row.failure_reason,
        acknowledged_at=row.acknowledged_at,
        outcome_entry_id=row.outcome_entry_id,
    )


class SqlPayoutStore:
    measure_chunk = 2000
    """Partners measured per chunk of a cut: only the last chunk's lines are built while PostgreSQL
    waits, and each chunk costs a statement or two more."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.conn = uow.conn
        self.journal = SqlLedgerStore(uow)

    async def claim_batch(
        self, batch_id: str, currency: str, cutoff: datetime, minimum: Decimal, by: str, now: datetime
    ) -> Batch | None:
        stmt = (
            insert(payout_batches)
            .values(
                batch_id=batch_id,
                currency=currency,
                cutoff=cutoff,
                minimum_amount=minimum,
                status="open",
                line_count=0,
                total=0,
                created_at=now,
                created_by=by,
            )
            .on_conflict_do_nothing()
            .returning(payout_batches.c.batch_id)
        )
        # A concurrent cut of the same batch waits here until the first commits, then finds it.
        if (await self.conn.execute(stmt)).scalar() is not None:
            return None
        existing = await self.batch(batch_id)
        assert existing is not None
        return existing

    def lock_and_measure(
        self, currency: str, cutoff: datetime, minimum: Decimal
    ) -> AsyncGenerator[list[PartnerDue], None]:
        return lock_and_measure(self.conn, currency, cutoff, minimum, chunk_size=self.measure_chunk)

    async def write_cut(
        self, batch: Batch, lines: Sequence[Line], actions: Sequence[PayoutAction], chained: Sequence[ChainedEntry]
    ) -> None:
        if not lines:
            return
        await self._post(chained)
        await copy_rows(
            self.conn,
            "payout_lines",
            LINE_COLUMNS,
            (
                (
                    x.line_id,
                    x.batch_id,
                    x.partner_id,
                    x.currency,
                    x.amount,
                    x.payee_reference,
                    x.entries_covered,
                    x.coverage_hash,
                    x.cut_entry_id,
                    a.registration_sequence,
                    x.status,
                )
                for x, a in zip(lines, actions, strict=True)
            ),
        )
        await self.conn.execute(COVER, {"batch_id": batch.batch_id})

    async def finish_batch(
        self, batch_id: str, line_count: int, total: Decimal, content_hash: str, status: str
    ) -> None:
        await self.conn.execute(
            update(payout_batches)
            .where(payout_batches.c.batch_id == batch_id)
            .values(line_count=line_count, total=total, content_hash=content_hash, status=status)
        )

    async def batch(self, batch_id: str, *, lock: bool = False) -> Batch | None:
        stmt = select(payout_batches).where(payout_batches.c.batch_id == batch_id)
        if lock:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return batch_of(row) if row is not None else None

    async def lines(self, batch_id: str, line_ids: Sequence[str], *, lock: bool = False) -> dict[str, Line]:
        stmt = (
            select(payout_lines)
            .where(payout_lines.c.batch_id == batch_id, payout_lines.c.line_id.in_(list(line_ids)))
            .order_by(payout_lines.c.line_id)
        )
        if lock:
            stmt = stmt.with_for_update()
        return {r.line_id: line_of(r) for r in await self.conn.execute(stmt)}

    async def lock_partners(self, partner_ids: Sequence[str]) -> dict[str, LockedPartner]:
        ids = sorted(partner_ids)
        await self.conn.execute(
            text("SELECT partner_id FROM ledger_partners WHERE partner_id = ANY(:ids) ORDER BY partner_id FOR UPDATE"),
            {"ids": ids},
        )
        heads = await self.conn.execute(select(chain_heads).where(chain_heads.c.partner_id.in_(ids)))
        by_partner: dict[str, dict[str, ChainHead]] = defaultdict(dict)
        for h in heads:
            by_partner[h.partner_id][h.stream] = ChainHead(h.last_sequence, h.head_hash)
        return {
            p: LockedPartner(
                registration_sequence=by_partner[p].get(REGISTRATION_STREAM, ChainHead()).last_sequence,
                payout_head=by_partner[p].get(PAYOUT_STREAM, ChainHead()),
            )
            for p in ids
        }

    async def record_outcomes(
        self,
        outcomes: Sequence[tuple[Line, PayoutAction, ChainedEntry]],
        by: str,
    ) -> None:
        await self._post([linked for _, _, linked in outcomes])
        for line, action, linked in outcomes:
            paid = action.kind is PayoutKind.SETTLED
            await self.conn.execute(
                update(payout_lines)
                .where(payout_lines.c.line_id == line.line_id)
                .values(
                    status="paid" if paid else "failed",
                    payment_reference=action.detail if paid else None,
                    failure_reason=None if paid else action.detail,
                    acknowledged_at=action.at,
                    acknowledged_by=by,
                    outcome_entry_id=linked.entry.entry_id,
                )
            )
        failed = [line for line, action, _ in outcomes if action.kind is PayoutKind.FAILED]
        if failed:
            # The failed lines' entries are payable again: the next batch may cover them.
            await self.conn.execute(UNCOVER, {"lines": [x.line_id for x in failed]})

    async def settle_if_done(self, batch_id: str, now: datetime) -> None:
        await self.conn.execute(
            text(
                "UPDATE payout_batches SET status = 'settled', settled_at = :now "
                "WHERE batch_id = :batch_id AND status = 'open' AND NOT EXISTS "
                "(SELECT 1 FROM payout_lines WHERE batch_id = :batch_id AND status = 'in_payment')"
            ),
            {"batch_id": batch_id, "now": now},
        )

    def announce(self, action: PayoutAction, linked: ChainedEntry, recorded_at: datetime) -> None:
        self._publish(action_events(action, linked, recorded_at))

    async def announcements(
        self, actions: Sequence[PayoutAction], chained: Sequence[ChainedEntry], recorded_at: datetime
    ) -> PreparedAnnouncements:
        # In a worker thread: a cut's 30,000 documents are built while its COPYs wait on PostgreSQL
        # (the building holds the GIL, but the event loop needs it only to feed the COPY, in short turns).
        events = await asyncio.to_thread(cut_events, actions, chained, recorded_at)
        return PreparedAnnouncements(events)

    def stage(self, prepared: PreparedAnnouncements) -> None:
        self._publish(cast(Sequence[Staging], prepared.events))

    def _publish(self, events: Iterable[Staging]) -> None:
        for payload, time, event_id, causation_id in events:
            self.uow.publish(payload, time=time, event_id=event_id, causation_id=causation_id)

    async def _post(self, chained: Sequence[ChainedEntry]) -> None:
        """Journal rows (COPY), balance deltas and the partners' payout chain heads."""
        await self.journal.append(list(chained))
        deltas: dict[BalanceKey, Decimal] = defaultdict(Decimal)
        for linked in chained:
            for posting in linked.entry.postings:
                deltas[(linked.entry.partner_id, posting.account, posting.currency)] += posting.amount
        await self.journal.apply_balance_deltas(deltas)
        await upsert_heads(
            await driver_connection(self.conn),
            ((c.entry.partner_id, c.entry.stream, ChainHead(c.sequence, c.entry_hash)) for c in chained),
        )
