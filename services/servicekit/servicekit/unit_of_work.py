"""The one place that commits: a database transaction plus the events staged in it.

Use cases receive an open :class:`UnitOfWork`, read and write through ``uow.conn`` and stage
events with :meth:`UnitOfWork.publish`; the entrypoint (HTTP route or consumer) commits. On commit
the staged events are written to the transactional outbox in the same transaction, each with the
next gap-free sequence number of its partner stream.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import overload

from incentive_contracts.envelope import CloudEvent
from incentive_contracts.envelope_bytes import PayloadDocument, encode_json
from incentive_contracts.event_ids import new_event_id
from incentive_contracts.payload import EventPayload
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from .copy import copy_rows
from .logging import correlation_id_var
from .tables import outbox

OUTBOX_CHANNEL = "outbox"
OUTBOX_COLUMNS = ["event_id", "topic", "partition_key", "sequence", "event_type", "payload"]
COPY_FROM_ROWS = 100  # below this a multi-row INSERT costs less than COPY's extra round trips
CLAIM_SEQUENCES = text(
    """
    INSERT INTO stream_sequences (partition_key, last_sequence)
    SELECT key, n FROM unnest(CAST(:keys AS text[]), CAST(:counts AS bigint[])) AS claim(key, n) ORDER BY key
    ON CONFLICT (partition_key) DO UPDATE SET last_sequence = stream_sequences.last_sequence + excluded.last_sequence
    RETURNING partition_key, last_sequence
    """
)


@dataclass
class _Staged:
    payload: EventPayload | PayloadDocument
    time: datetime
    event_id: str
    correlation_id: str | None
    causation_id: str | None
    data_json: bytes | None = None


@dataclass
class UnitOfWork:
    conn: AsyncConnection
    source: str
    topic: str
    _staged: list[_Staged] = field(default_factory=list)
    _raw: list[dict[str, object]] = field(default_factory=list)
    committed: bool = False

    def publish(
        self,
        payload: EventPayload | PayloadDocument,
        *,
        time: datetime,
        causation_id: str | None = None,
        event_id: str | None = None,
        data_json: bytes | None = None,
    ) -> str:
        """Stage an event for the outbox; returns its id. Written only if the unit commits. A payload may
        be given as its document (built from trusted values on a hot path): the same bytes are written.

        ``data_json``: the payload's JSON (``envelope_bytes.payload_json``) when the caller already
        encoded it for a row of its own; the envelope then reuses it instead of encoding it again."""
        staged = _Staged(
            payload=payload,
            time=time,
            event_id=event_id or new_event_id(),
            correlation_id=correlation_id_var.get(),
            causation_id=causation_id,
            data_json=data_json,
        )
        self._staged.append(staged)
        return staged.event_id

    def publish_raw(self, *, topic: str, key: str, event_type: str, body: bytes) -> None:
        """Stage a non-CloudEvent record (dead letters) for the outbox."""
        self._raw.append(
            {
                "event_id": new_event_id(),
                "topic": topic,
                "partition_key": key,
                "sequence": None,
                "event_type": event_type,
                "payload": body,
            }
        )

    @property
    def staged_events(self) -> list[EventPayload | PayloadDocument]:
        return [s.payload for s in self._staged]

    async def commit(self) -> Sequence[CloudEvent]:
        """Write staged events to the outbox and commit; returns the envelopes written (read back from
        their bytes when asked for: no caller on the hot paths looks at them)."""
        envelopes = await self._flush_outbox()
        await self.conn.commit()
        self.committed = True
        self._staged.clear()
        self._raw.clear()
        return envelopes

    async def rollback(self) -> None:
        await self.conn.rollback()
        self._staged.clear()
        self._raw.clear()

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[Savepoint]:
        """A nested transaction whose ``rollback()`` also forgets the events staged inside it."""
        nested = await self.conn.begin_nested()
        mark = Savepoint(self, nested, len(self._staged), len(self._raw))
        try:
            yield mark
        except BaseException:
            if not mark.done:
                await mark.rollback()
            raise
        if not mark.done:
            await nested.commit()
            mark.done = True

    async def _flush_outbox(self) -> WrittenEnvelopes:
        if not self._staged and not self._raw:
            return WrittenEnvelopes([])
        counts: dict[str, int] = defaultdict(int)
        for staged in self._staged:
            counts[staged.payload.subject] += 1
        next_sequence: dict[str, int] = {}
        if counts:
            # One statement for every partner stream (a payout batch stages events for thousands); rows
            # are taken in sorted key order, so concurrent units lock partner streams in one order and
            # cannot deadlock.
            keys = sorted(counts)
            claimed = await self.conn.execute(CLAIM_SEQUENCES, {"keys": keys, "counts": [counts[k] for k in keys]})
            for key, last in claimed.all():
                next_sequence[key] = last - counts[key] + 1
        written: list[bytes] = []
        rows = self._outbox_rows(next_sequence, written)
        if len(self._staged) + len(self._raw) >= COPY_FROM_ROWS:
            # Each envelope is encoded as the COPY asks for its row: PostgreSQL stores the rows already
            # sent (asyncpg sends every 512 kB) while the rest are encoded, rather than after them all.
            await copy_rows(self.conn, "outbox", OUTBOX_COLUMNS, rows)
        else:
            await self.conn.execute(outbox.insert(), [dict(zip(OUTBOX_COLUMNS, row, strict=True)) for row in rows])
        await self.conn.execute(text("SELECT pg_notify(:channel, '')"), {"channel": OUTBOX_CHANNEL})
        return WrittenEnvelopes(written)

    def _outbox_rows(self, next_sequence: dict[str, int], written: list[bytes]) -> Iterator[tuple[object, ...]]:
        """The outbox rows (in OUTBOX_COLUMNS order), each staged event given the next sequence of its
        partner stream and encoded when its row is taken; each envelope's bytes appended to ``written``."""
        for staged in self._staged:
            payload = staged.payload
            key = payload.subject
            sequence = next_sequence[key]
            next_sequence[key] += 1
            # The bytes of encode(...).to_json(), written directly (incentive_contracts.envelope_bytes).
            envelope = encode_json(
                payload,
                source=self.source,
                time=staged.time,
                sequence=sequence,
                event_id=staged.event_id,
                correlation_id=staged.correlation_id,
                causation_id=staged.causation_id,
                data_json=staged.data_json,
            )
            written.append(envelope)
            yield (staged.event_id, self.topic, key, sequence, payload.event_type, envelope)
        for raw in self._raw:
            yield tuple(raw[c] for c in OUTBOX_COLUMNS)


class WrittenEnvelopes(Sequence[CloudEvent]):
    """The envelopes a commit wrote, decoded from their outbox bytes only when read."""

    def __init__(self, written: list[bytes]) -> None:
        self._written = written

    def __len__(self) -> int:
        return len(self._written)

    @overload
    def __getitem__(self, index: int) -> CloudEvent: ...

    @overload
    def __getitem__(self, index: slice) -> list[CloudEvent]: ...

    def __getitem__(self, index: int | slice) -> CloudEvent | list[CloudEvent]:
        if isinstance(index, slice):
            return [CloudEvent.from_json(raw) for raw in self._written[index]]
        return CloudEvent.from_json(self._written[index])


@dataclass
class Savepoint:
    uow: UnitOfWork
    nested: AsyncTransaction
    staged: int
    raw: int
    done: bool = False

    async def rollback(self) -> None:
        await self.nested.rollback()
        del self.uow._staged[self.staged :]
        del self.uow._raw[self.raw :]
        self.done = True


class UnitOfWorkFactory:
    """Opens units of work on one engine for one producing service."""

    def __init__(self, engine: AsyncEngine, *, source: str, topic: str) -> None:
        self.engine = engine
        self.source = source
        self.topic = topic

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[UnitOfWork]:
        async with self.engine.connect() as conn:
            await conn.begin()
            uow = UnitOfWork(conn=conn, source=self.source, topic=self.topic)
            try:
                yield uow
            finally:
                if not uow.committed and conn.in_transaction():
                    await conn.rollback()
