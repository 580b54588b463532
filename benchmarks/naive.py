"""The naive baseline: the same projection, one event per transaction, persisted through the ORM.

It runs the ledger's own ``project`` use case (same rules, same entries, hashes and outbox rows),
but with a store that loads and saves row by row through SQLAlchemy ORM sessions, the way a first
version usually looks. Events come from the consumed-event log of the real run, in order; Kafka is
left out, which flatters the baseline.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from incentive_contracts.envelope import CloudEvent
from incentive_contracts.events.ledger import LedgerEntryPosted, PostingLine
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload
from incentive_contracts.registry import decode, encode
from ledger.adapters.announcements import EVENT_NAMESPACE
from ledger.adapters.codec import deal_from_json, deal_to_json, partner_from_json, partner_to_json
from ledger.adapters.store import SqlLedgerStore
from ledger.application.ports import BalanceKey, DealKey
from ledger.application.projector import Incoming, project
from ledger.domain.chain import ChainedEntry, ChainHead
from ledger.domain.outcome import Announcement
from ledger.domain.state import DealRecord, PartnerLedger
from servicekit.db import create_engine
from servicekit.unit_of_work import UnitOfWork
from sqlalchemy import BigInteger, DateTime, Integer, LargeBinary, Numeric, Text, select
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class PartnerRow(Base):
    __tablename__ = "ledger_partners"
    partner_id: Mapped[str] = mapped_column(Text, primary_key=True)
    program_id: Mapped[str | None] = mapped_column(Text)
    tier: Mapped[str | None] = mapped_column(Text)
    state: Mapped[dict[str, Any]] = mapped_column(JSONB)


class ChainHeadRow(Base):
    __tablename__ = "chain_heads"
    partner_id: Mapped[str] = mapped_column(Text, primary_key=True)
    stream: Mapped[str] = mapped_column(Text, primary_key=True)
    last_sequence: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[str] = mapped_column(Text)


class DealRow(Base):
    __tablename__ = "ledger_deals"
    partner_id: Mapped[str] = mapped_column(Text, primary_key=True)
    deal_id: Mapped[str] = mapped_column(Text, primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSONB)


class EntryRow(Base):
    __tablename__ = "journal_entries"
    entry_id: Mapped[str] = mapped_column(Text, primary_key=True)
    partner_id: Mapped[str] = mapped_column(Text)
    stream: Mapped[str] = mapped_column(Text)
    sequence: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(Text)
    caused_by: Mapped[str] = mapped_column(Text)
    deal_id: Mapped[str | None] = mapped_column(Text)
    effective_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rule_id: Mapped[str] = mapped_column(Text)
    rule_version: Mapped[int] = mapped_column(Integer)
    reverses: Mapped[str | None] = mapped_column(Text)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSONB)
    prev_hash: Mapped[str] = mapped_column(Text)
    entry_hash: Mapped[str] = mapped_column(Text)


class PostingRow(Base):
    __tablename__ = "postings"
    entry_id: Mapped[str] = mapped_column(Text, primary_key=True)
    line: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[str] = mapped_column(Text)
    account: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal] = mapped_column(Numeric)
    effective_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BalanceRow(Base):
    __tablename__ = "balances"
    partner_id: Mapped[str] = mapped_column(Text, primary_key=True)
    account: Mapped[str] = mapped_column(Text, primary_key=True)
    currency: Mapped[str] = mapped_column(Text, primary_key=True)
    balance: Mapped[Decimal] = mapped_column(Numeric)


class ConsumedRow(Base):
    __tablename__ = "consumed_events"
    event_id: Mapped[str] = mapped_column(UUID(as_uuid=False), primary_key=True)
    consumer_group: Mapped[str] = mapped_column(Text)
    topic: Mapped[str] = mapped_column(Text)
    partition: Mapped[int] = mapped_column(Integer)
    offset: Mapped[int] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    event_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class OffsetRow(Base):
    __tablename__ = "consumer_offsets"
    consumer_group: Mapped[str] = mapped_column(Text, primary_key=True)
    topic: Mapped[str] = mapped_column(Text, primary_key=True)
    partition: Mapped[int] = mapped_column(Integer, primary_key=True)
    next_offset: Mapped[int] = mapped_column(BigInteger)
    high_watermark: Mapped[int] = mapped_column(BigInteger)
    applied_count: Mapped[int] = mapped_column(BigInteger)


class SequenceRow(Base):
    __tablename__ = "stream_sequences"
    partition_key: Mapped[str] = mapped_column(Text, primary_key=True)
    last_sequence: Mapped[int] = mapped_column(BigInteger)


class OutboxRow(Base):
    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(UUID(as_uuid=False))
    topic: Mapped[str] = mapped_column(Text)
    partition_key: Mapped[str] = mapped_column(Text)
    sequence: Mapped[int | None] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(Text)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class OrmLedgerStore:
    """A LedgerStore that loads and saves one ORM object at a time."""

    def __init__(self, session: AsyncSession, topic: str, reads: SqlLedgerStore) -> None:
        self.session = session
        self.topic = topic
        self.reads = reads  # reference reads (programs, cohorts) go through the real store
        self.staged: list[tuple[EventPayload, datetime, str, str | None]] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("load_"):
            return getattr(self.reads, name)
        raise AttributeError(name)

    async def load_partners(self, partner_ids: Iterable[str]) -> dict[str, PartnerLedger]:
        states: dict[str, PartnerLedger] = {}
        for pid in sorted(partner_ids):
            row = await self.session.get(PartnerRow, pid, with_for_update=True)
            if row is None:
                continue
            state = partner_from_json(pid, row.program_id, row.tier, row.state)
            heads = await self.session.scalars(select(ChainHeadRow).where(ChainHeadRow.partner_id == pid))
            for head in heads:
                state = state.with_head(head.stream, ChainHead(head.last_sequence, head.head_hash))
            states[pid] = state
        return states

    async def load_deals(self, keys: Iterable[DealKey]) -> dict[DealKey, DealRecord]:
        found: dict[DealKey, DealRecord] = {}
        for key in sorted(keys):
            row = await self.session.get(DealRow, key)
            if row is not None:
                found[key] = deal_from_json(key[0], key[1], row.state)
        return found

    async def posted(self, entry_ids: Iterable[str]) -> set[str]:
        return await self.reads.posted(entry_ids)  # dispute compensations only: never in the benchmark

    async def save_partners(self, states: Iterable[PartnerLedger]) -> None:
        for s in states:
            row = await self.session.get(PartnerRow, s.partner_id)
            if row is None:
                row = PartnerRow(partner_id=s.partner_id)
                self.session.add(row)
            row.program_id, row.tier, row.state = s.program_id, s.tier, partner_to_json(s)
            for stream, h in s.chains:
                head = await self.session.get(ChainHeadRow, (s.partner_id, stream))
                if head is None:
                    head = ChainHeadRow(partner_id=s.partner_id, stream=stream)
                    self.session.add(head)
                head.last_sequence, head.head_hash = h.last_sequence, h.head_hash

    async def save_deals(self, deals: Iterable[DealRecord]) -> None:
        for d in deals:
            row = await self.session.get(DealRow, (d.partner_id, d.deal_id))
            if row is None:
                self.session.add(DealRow(partner_id=d.partner_id, deal_id=d.deal_id, state=deal_to_json(d)))
            else:
                row.state = deal_to_json(d)

    async def append(self, entries: list[ChainedEntry]) -> None:
        for c in entries:
            e = c.entry
            self.session.add(
                EntryRow(
                    entry_id=e.entry_id,
                    partner_id=e.partner_id,
                    stream=e.stream,
                    sequence=c.sequence,
                    kind=e.kind,
                    caused_by=e.caused_by,
                    deal_id=e.deal_id,
                    effective_at=e.effective_at,
                    rule_id=e.rule_id,
                    rule_version=e.rule_version,
                    reverses=e.reverses,
                    explanation=_json_safe(e.explanation.document()),
                    prev_hash=c.prev_hash,
                    entry_hash=c.entry_hash,
                )
            )
            await self.session.flush()  # postings reference the entry
            for line, p in enumerate(e.postings):
                self.session.add(
                    PostingRow(
                        entry_id=e.entry_id,
                        line=line,
                        partner_id=e.partner_id,
                        account=p.account,
                        currency=p.currency,
                        amount=p.amount,
                        effective_at=e.effective_at,
                    )
                )

    async def apply_balance_deltas(self, deltas: Mapping[BalanceKey, Decimal]) -> None:
        for key, delta in sorted(deltas.items()):
            row = await self.session.get(BalanceRow, key, with_for_update=True)
            if row is None:
                self.session.add(BalanceRow(partner_id=key[0], account=key[1], currency=key[2], balance=delta))
            else:
                row.balance = row.balance + delta

    def publish_entry_posted(self, entry: ChainedEntry) -> None:
        e = entry.entry
        payload = LedgerEntryPosted(
            partner_id=e.partner_id,
            entry_id=e.entry_id,
            caused_by=e.caused_by,
            kind=e.kind,
            postings=[
                PostingLine(account=p.account, amount=Money(amount=p.amount, currency=p.currency)) for p in e.postings
            ],
            rule_id=e.rule_id,
            rule_version=e.rule_version,
            entry_hash=entry.entry_hash,
        )
        self.staged.append((payload, e.effective_at, str(uuid.uuid5(EVENT_NAMESPACE, e.entry_id)), e.caused_by))

    def announce(self, announcement: Announcement) -> None:
        self.staged.append((announcement.payload, announcement.time, announcement.event_id, announcement.causation_id))

    async def flush_outbox(self) -> None:
        for payload, at, event_id, causation in self.staged:
            key = payload.partner_id
            seq = await self.session.get(SequenceRow, key, with_for_update=True)
            if seq is None:
                seq = SequenceRow(partition_key=key, last_sequence=0)
                self.session.add(seq)
            seq.last_sequence += 1
            envelope = encode(
                payload,
                source="/ledger",
                time=at,
                sequence=seq.last_sequence,
                event_id=event_id,
                causation_id=causation,
            )
            self.session.add(
                OutboxRow(
                    event_id=envelope.id,
                    topic=self.topic,
                    partition_key=key,
                    sequence=seq.last_sequence,
                    event_type=envelope.type,
                    payload=envelope.to_json(),
                )
            )


def _json_safe(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, sort_keys=True, default=str))


async def project_naively(database_url: str, records: list[dict[str, Any]], *, group: str, topic: str) -> float:
    """Apply ``records`` (rows of consumed_events) one per transaction; returns seconds taken."""
    engine = create_engine(database_url, pool_size=1)
    started = time.perf_counter()
    try:
        for record in records:
            async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
                envelope = CloudEvent.from_json(record["payload"])
                payload = decode(envelope)
                session.add(
                    ConsumedRow(
                        event_id=envelope.id,
                        consumer_group=group,
                        topic=record["topic"],
                        partition=record["partition"],
                        offset=record["offset"],
                        event_type=envelope.type,
                        subject=envelope.subject,
                        event_time=envelope.time,
                        payload=record["payload"],
                    )
                )
                reads = SqlLedgerStore(UnitOfWork(conn=await session.connection(), source="/ledger", topic=topic))
                store = OrmLedgerStore(session, topic, reads)
                rejected = await project(store, [Incoming(envelope.id, payload, envelope.time)])
                if rejected:
                    raise RuntimeError(f"the baseline rejected an event: {rejected[0].reason}")
                await store.flush_outbox()
                key = (group, record["topic"], record["partition"])
                offset = await session.get(OffsetRow, key, with_for_update=True)
                if offset is None:
                    offset = OffsetRow(
                        consumer_group=group,
                        topic=key[1],
                        partition=key[2],
                        next_offset=0,
                        high_watermark=0,
                        applied_count=0,
                    )
                    session.add(offset)
                offset.next_offset = record["offset"] + 1
                offset.high_watermark = max(offset.high_watermark, offset.next_offset)
                offset.applied_count += 1
        return time.perf_counter() - started
    finally:
        await engine.dispose()
