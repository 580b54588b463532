"""Idempotent Kafka consumer: effects, consumed event ids and offsets in ONE transaction.

Each batch from ``getmany`` is parsed, de-duplicated against ``consumed_events`` (the inbox),
handed to an :class:`EventHandler` inside a unit of work, and committed together with the
partition offsets. Offsets are committed to Kafka only after the database commit, and on every
(re)assignment the consumer seeks to the offsets stored in PostgreSQL, so a rebalance or a crash
neither loses nor repeats an effect. Events that cannot be applied go to ``dead_letters`` (and the
dead-letter topic) with the reason and original offset; they never stop other events. Events that
cannot be applied YET (the handler says what they wait for) are parked (see :mod:`.parking`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord, OffsetAndMetadata
from incentive_contracts.envelope import CloudEvent
from incentive_contracts.registry import decode
from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from .gc_tuning import release_freed_memory
from .handling import EventHandler, Inbound, Rejection, settle
from .heartbeat import Heartbeat
from .logging import log_fields
from .parking import ParkingLot, Refusal
from .tables import consumed_events, consumer_offsets, dead_letters
from .unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["EventHandler", "IdempotentConsumer", "Inbound", "Rejection", "forget_offsets"]

log = logging.getLogger(__name__)

CLAIM_INBOX = text(
    """
    INSERT INTO consumed_events
        (event_id, consumer_group, topic, partition, "offset", event_type, subject, event_time, payload)
    SELECT event_id, :group, topic, partition, "offset", event_type, subject, event_time, payload
    FROM unnest(
        CAST(:ids AS uuid[]), CAST(:topics AS text[]), CAST(:partitions AS int[]), CAST(:offsets AS bigint[]),
        CAST(:types AS text[]), CAST(:subjects AS text[]), CAST(:times AS timestamptz[]), CAST(:payloads AS bytea[])
    ) WITH ORDINALITY AS batch(event_id, topic, partition, "offset", event_type, subject, event_time, payload, n)
    ORDER BY n
    ON CONFLICT (consumer_group, event_id) DO NOTHING
    RETURNING event_id
    """
)


@dataclass(frozen=True)
class _Poison:
    record: ConsumerRecord[bytes, bytes]
    event_id: str | None
    reason: str


class _SeekToStoredOffsets(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, owner: IdempotentConsumer) -> None:
        self.owner = owner

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        await self.owner.seek_to_stored(assigned)


class IdempotentConsumer:
    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        uow_factory: UnitOfWorkFactory,
        handler: EventHandler,
        *,
        group_id: str,
        topics: list[str],
        dead_letter_topic: str,
        max_records: int = 2000,
        park_timeout: timedelta = timedelta(days=7),
        park_retry_seconds: float = 60.0,
    ) -> None:
        self.consumer = consumer
        self.uow_factory = uow_factory
        self.handler = handler
        self.group_id = group_id
        self.topics = topics
        self.dead_letter_topic = dead_letter_topic
        self.max_records = max_records
        self.applied = 0
        self.park_retry_seconds = park_retry_seconds
        self.parking = ParkingLot(group_id=group_id, handler=handler, reject=self._refuse, timeout=park_timeout)
        self.heartbeat = Heartbeat(None)
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        self.consumer.subscribe(self.topics, listener=_SeekToStoredOffsets(self))
        clock = asyncio.get_running_loop().time
        next_sweep = clock()
        while not self._stopping.is_set():
            self.heartbeat.beat()
            if clock() >= next_sweep:
                await self.sweep_parked()
                next_sweep = clock() + self.park_retry_seconds
            batches = await self.consumer.getmany(timeout_ms=500, max_records=self.max_records)
            records = [r for tp in sorted(batches, key=lambda t: (t.topic, t.partition)) for r in batches[tp]]
            if records:
                await self.process(records)

    async def seek_to_stored(self, assigned: set[TopicPartition]) -> None:
        log.info(
            "partitions assigned",
            extra=log_fields(group=self.group_id, partitions=sorted(f"{tp.topic}:{tp.partition}" for tp in assigned)),
        )
        if not assigned:
            return
        async with self.uow_factory.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(
                        consumer_offsets.c.topic, consumer_offsets.c.partition, consumer_offsets.c.next_offset
                    ).where(consumer_offsets.c.consumer_group == self.group_id)
                )
            ).all()
        stored = {TopicPartition(r.topic, r.partition): r.next_offset for r in rows}
        for tp in assigned:
            # An offset past the end (a broker that lost its data) makes aiokafka fall back to
            # auto_offset_reset=earliest; the inbox skips whatever was applied already.
            if tp in stored:
                self.consumer.seek(tp, stored[tp])
            else:
                await self.consumer.seek_to_beginning(tp)

    async def process(self, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        """Apply one fetched batch exactly once, then commit its offsets to Kafka."""
        async with self.uow_factory() as uow:
            applied, _ = await self._apply(uow, records)
            positions = await self._store_offsets(uow, records, applied)
            await uow.commit()
        self.applied += len(applied)
        release_freed_memory(len(records))
        try:
            await self.consumer.commit({tp: OffsetAndMetadata(off, "") for tp, off in positions.items()})
        except KafkaError as exc:
            # PostgreSQL holds the truth; the next owner of the partition seeks to it.
            log.warning("Kafka offset commit failed after the database commit", extra=log_fields(error=str(exc)))

    async def sweep_parked(self) -> tuple[int, int]:
        """Retry every parked event (bounded), then dead-letter those parked too long.

        Returns (applied, dead-lettered)."""
        async with self.uow_factory() as uow:
            applied = await self.parking.retry(uow)
            expired = await self.parking.expire(uow)
            await uow.commit()
        self.applied += len(applied)
        return len(applied), expired

    async def redrive(self, ids: list[int] | None = None) -> tuple[int, int]:
        """Apply dead-lettered events again after a fix; returns (applied, still failing).

        Each dead letter is re-parsed from its stored record and goes through the same inbox and
        handler as a live event, so one that was applied meanwhile is not applied twice.
        """
        async with self.uow_factory() as uow:
            result = await self.redrive_in(uow, ids)
            await uow.commit()
        return result

    async def redrive_in(self, uow: UnitOfWork, ids: list[int] | None = None) -> tuple[int, int]:
        """:meth:`redrive` inside the caller's unit of work (not committed): the API's re-drive
        commits it together with its Idempotency-Key."""
        stmt = (
            select(dead_letters)
            .where(dead_letters.c.consumer_group == self.group_id, dead_letters.c.redriven_at.is_(None))
            .order_by(dead_letters.c.id)
            .with_for_update()
        )
        if ids is not None:
            stmt = stmt.where(dead_letters.c.id.in_(ids))
        rows = (await uow.conn.execute(stmt)).all()
        records = [_stored_record(row) for row in rows]
        _, failures = await self._apply(uow, records, dead_letter=False)
        failing = {(f.record.topic, f.record.partition, f.record.offset): f.reason for f in failures}
        for row in rows:
            reason = failing.get((row.topic, row.partition, row.offset))
            values = {"reason": reason} if reason else {"redriven_at": text("now()")}
            await uow.conn.execute(dead_letters.update().where(dead_letters.c.id == row.id).values(**values))
        return len(rows) - len(failing), len(failing)

    async def _apply(
        self, uow: UnitOfWork, records: list[ConsumerRecord[bytes, bytes]], *, dead_letter: bool = True
    ) -> tuple[list[Inbound], list[_Poison]]:
        """Parse, de-duplicate through the inbox and hand fresh events to the handler; park the
        events it defers and retry the parked events of the subjects it applied events for."""
        inbound, poison = self._parse(records)
        fresh = await self._claim_fresh(uow, inbound)
        if not fresh:
            if dead_letter:
                await self._dead_letter(uow, poison)
            return [], poison
        held = await self.parking.held(uow, fresh)
        settled = await settle(uow, self.handler, fresh, held)
        await self.parking.park(uow, settled.parked)
        refusals = [Refusal.of(r) for r in settled.rejected]
        await self._forget(uow, refusals)
        poison.extend(_Poison(_refused_record(r), r.event_id, r.reason) for r in refusals)
        if dead_letter:
            await self._dead_letter(uow, poison)
        waiting = {subject for _, subject in held} | {p.inbound.envelope.subject for p in settled.parked}
        retry = {e.envelope.subject for e in settled.applied} & waiting
        # An event parked behind one parked earlier: that one may just have been applied by a replica.
        retry |= {p.inbound.envelope.subject for p in settled.parked if p.inbound.queue in held}
        retried = await self.parking.retry(uow, retry) if retry else []
        return settled.applied + retried, poison

    async def _forget(self, uow: UnitOfWork, refusals: list[Refusal]) -> None:
        """Take refused events out of the inbox, so a re-drive after a fix can apply them."""
        if refusals:
            ids = [r.event_id for r in refusals]
            await uow.conn.execute(
                consumed_events.delete().where(
                    consumed_events.c.consumer_group == self.group_id, consumed_events.c.event_id.in_(ids)
                )
            )

    async def _refuse(self, uow: UnitOfWork, refusals: Sequence[Refusal]) -> None:
        """Dead-letter parked events that turned out invalid or waited too long."""
        await self._forget(uow, list(refusals))
        await self._dead_letter(uow, [_Poison(_refused_record(r), r.event_id, r.reason) for r in refusals])

    def _parse(self, records: list[ConsumerRecord[bytes, bytes]]) -> tuple[list[Inbound], list[_Poison]]:
        inbound: list[Inbound] = []
        poison: list[_Poison] = []
        seen: set[str] = set()
        for record in records:
            event_id: str | None = None
            try:
                if record.value is None:
                    raise ValueError("empty record")
                envelope = CloudEvent.from_json(record.value)
                event_id = envelope.id
                payload = decode(envelope)
            except (ValueError, ValidationError, orjson.JSONDecodeError) as exc:
                poison.append(_Poison(record, event_id, _reason(exc)))
                continue
            if envelope.id in seen:
                continue
            seen.add(envelope.id)
            inbound.append(Inbound(envelope, payload, record.topic, record.partition, record.offset, record.value))
        return inbound, poison

    async def _claim_fresh(self, uow: UnitOfWork, inbound: list[Inbound]) -> list[Inbound]:
        """Insert into the inbox; only events not consumed before come back."""
        if not inbound:
            return []
        # One statement with arrays (unnest keeps the batch's order for consumed_seq), instead of
        # compiling a many-row VALUES statement per chunk: the inbox is on every event's path.
        result = await uow.conn.execute(
            CLAIM_INBOX,
            {
                "group": self.group_id,
                "ids": [e.envelope.id for e in inbound],
                "topics": [e.topic for e in inbound],
                "partitions": [e.partition for e in inbound],
                "offsets": [e.offset for e in inbound],
                "types": [e.envelope.type for e in inbound],
                "subjects": [e.envelope.subject for e in inbound],
                "times": [e.envelope.time for e in inbound],
                "payloads": [e.raw for e in inbound],
            },
        )
        fresh_ids = {str(r) for r in result.scalars()}
        return [e for e in inbound if e.envelope.id in fresh_ids]

    async def _dead_letter(self, uow: UnitOfWork, poison: list[_Poison]) -> None:
        for item in poison:
            record = item.record
            stmt = insert(dead_letters).values(
                consumer_group=self.group_id,
                event_id=item.event_id,
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
                reason=item.reason,
                payload=record.value or b"",
            )
            # A re-driven letter that parked and then waited too long is dead again: its row revives.
            revive = stmt.on_conflict_do_update(
                constraint="dead_letters_origin",
                set_={"reason": stmt.excluded.reason, "redriven_at": None, "created_at": text("now()")},
                where=dead_letters.c.redriven_at.is_not(None),
            ).returning(dead_letters.c.id)
            if (await uow.conn.execute(revive)).scalar() is None:
                continue  # already dead-lettered on an earlier delivery
            log.warning(
                "dead-lettered event",
                extra=log_fields(
                    topic=record.topic, partition=record.partition, offset=record.offset, reason=item.reason
                ),
            )
            uow.publish_raw(
                topic=self.dead_letter_topic,
                key=(record.key or b"").decode(errors="replace"),
                event_type="deadletter",
                body=orjson.dumps(
                    {
                        "consumer_group": self.group_id,
                        "event_id": item.event_id,
                        "topic": record.topic,
                        "partition": record.partition,
                        "offset": record.offset,
                        "reason": item.reason,
                        "original": (record.value or b"").decode(errors="replace"),
                    }
                ),
            )

    async def _store_offsets(
        self, uow: UnitOfWork, records: list[ConsumerRecord[bytes, bytes]], applied: list[Inbound]
    ) -> dict[TopicPartition, int]:
        positions: dict[TopicPartition, int] = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            positions[tp] = max(positions.get(tp, 0), record.offset + 1)
        applied_by_tp: dict[TopicPartition, int] = {}
        for event in applied:
            tp = TopicPartition(event.topic, event.partition)
            applied_by_tp[tp] = applied_by_tp.get(tp, 0) + 1
        rows = [
            {
                "consumer_group": self.group_id,
                "topic": tp.topic,
                "partition": tp.partition,
                "next_offset": next_offset,
                "high_watermark": self.consumer.highwater(tp) or next_offset,
                "applied_count": applied_by_tp.get(tp, 0),
            }
            for tp, next_offset in sorted(positions.items())
        ]
        stmt = insert(consumer_offsets)
        stmt = stmt.on_conflict_do_update(
            index_elements=["consumer_group", "topic", "partition"],
            set_={
                # Plain assignment, never GREATEST: after a broker lost its data the offsets start
                # again from zero; a regressed offset only re-reads events the inbox de-duplicates.
                "next_offset": stmt.excluded.next_offset,
                "high_watermark": stmt.excluded.high_watermark,
                "applied_count": text("consumer_offsets.applied_count + excluded.applied_count"),
                "updated_at": text("now()"),
            },
        )
        await uow.conn.execute(stmt, rows)
        return positions


async def forget_offsets(engine: AsyncEngine, group: str | None = None) -> int:
    """Delete stored offsets (of one group or all) so the next assignment reads from the start."""
    async with engine.begin() as conn:
        stmt = consumer_offsets.delete()
        if group is not None:
            stmt = stmt.where(consumer_offsets.c.consumer_group == group)
        return int((await conn.execute(stmt)).rowcount or 0)


def _stored_record(row: Any) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic=row.topic,
        partition=row.partition,
        offset=row.offset,
        timestamp=0,
        timestamp_type=0,
        key=None,
        value=row.payload,
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=len(row.payload),
        headers=[],
    )


def _refused_record(refusal: Refusal) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic=refusal.topic,
        partition=refusal.partition,
        offset=refusal.offset,
        timestamp=0,
        timestamp_type=0,
        key=refusal.key.encode(),
        value=refusal.payload,
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=len(refusal.payload),
        headers=[],
    )


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "invalid event: " + "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:5]
        )
    return f"{type(exc).__name__}: {exc}"
