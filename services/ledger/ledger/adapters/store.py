"""SqlLedgerStore: the projector's storage, written for batches (COPY for journal rows)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal

from incentive_contracts.events.ledger import LedgerEntryPosted, PostingLine
from incentive_contracts.money import Money
from servicekit.unit_of_work import UnitOfWork
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert

from ..application.ports import BalanceKey
from ..domain.chain import ChainedEntry
from ..domain.projection import PartnerLedger
from .tables import balances, ledger_partners

EVENT_NAMESPACE = uuid.UUID("0b9f7d1e-3c55-4a8e-8f0e-7d4b2f6a9c31")


class SqlLedgerStore:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.conn = uow.conn

    async def load_partners(self, partner_ids: Iterable[str]) -> dict[str, PartnerLedger]:
        ids = sorted(partner_ids)
        if not ids:
            return {}
        rows = (await self.conn.execute(select(ledger_partners).where(ledger_partners.c.partner_id.in_(ids)))).all()
        return {
            r.partner_id: PartnerLedger(
                partner_id=r.partner_id, program_id=r.program_id, last_sequence=r.last_sequence, head_hash=r.head_hash
            )
            for r in rows
        }

    async def save_partners(self, states: Iterable[PartnerLedger]) -> None:
        rows = [
            {
                "partner_id": s.partner_id,
                "program_id": s.program_id,
                "last_sequence": s.last_sequence,
                "head_hash": s.head_hash,
            }
            for s in states
        ]
        if not rows:
            return
        stmt = insert(ledger_partners)
        stmt = stmt.on_conflict_do_update(
            index_elements=["partner_id"],
            set_={
                "program_id": stmt.excluded.program_id,
                "last_sequence": stmt.excluded.last_sequence,
                "head_hash": stmt.excluded.head_hash,
            },
        )
        await self.conn.execute(stmt, rows)

    async def append(self, entries: list[ChainedEntry]) -> None:
        if not entries:
            return
        raw = await self.conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver.copy_records_to_table(
            "journal_entries",
            columns=[
                "entry_id", "partner_id", "sequence", "kind", "caused_by", "effective_at", "rule_id",
                "rule_version", "reverses", "explanation", "prev_hash", "entry_hash",
            ],
            records=[
                (
                    c.entry.entry_id, c.entry.partner_id, c.sequence, c.entry.kind, c.entry.caused_by,
                    c.entry.effective_at, c.entry.rule_id, c.entry.rule_version, c.entry.reverses,
                    json.dumps(c.entry.explanation, sort_keys=True, default=str), c.prev_hash, c.entry_hash,
                )
                for c in entries
            ],
        )
        await driver.copy_records_to_table(
            "postings",
            columns=["entry_id", "line", "partner_id", "account", "currency", "amount", "effective_at"],
            records=[
                (c.entry.entry_id, line, c.entry.partner_id, p.account, p.currency, p.amount, c.entry.effective_at)
                for c in entries
                for line, p in enumerate(c.entry.postings)
            ],
        )

    async def apply_balance_deltas(self, deltas: Mapping[BalanceKey, Decimal]) -> None:
        rows = [
            {"partner_id": k[0], "account": k[1], "currency": k[2], "balance": v}
            for k, v in sorted(deltas.items())
            if v != 0
        ]
        if not rows:
            return
        stmt = insert(balances)
        stmt = stmt.on_conflict_do_update(
            index_elements=["partner_id", "account", "currency"],
            set_={"balance": text("balances.balance + excluded.balance")},
        )
        await self.conn.execute(stmt, rows)

    def publish_entry_posted(self, entry: ChainedEntry) -> None:
        self.uow.publish(
            LedgerEntryPosted(
                partner_id=entry.entry.partner_id,
                entry_id=entry.entry.entry_id,
                caused_by=entry.entry.caused_by,
                kind=entry.entry.kind,
                postings=[
                    PostingLine(account=p.account, amount=Money(amount=p.amount, currency=p.currency))
                    for p in entry.entry.postings
                ],
                rule_id=entry.entry.rule_id,
                rule_version=entry.entry.rule_version,
                entry_hash=entry.entry_hash,
            ),
            time=entry.entry.effective_at,
            causation_id=entry.entry.caused_by,
            event_id=str(uuid.uuid5(EVENT_NAMESPACE, entry.entry.entry_id)),
        )
