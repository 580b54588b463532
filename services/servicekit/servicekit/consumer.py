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
from datetime import timedelta

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord, OffsetAndMetadata
from sqlalchemy import select, text

from . import dead_lettering, inbox
from .dead_lettering import Poison, stored_record
from .gc_tuning import release_freed_memory
from .handling import EventHandler, Inbound, Rejection, settle
from .heartbeat import Heartbeat
from .logging import log_fields
from .offsets import forget_offsets, store_offsets, stored_offsets
from .parking import ParkingLot, Refusal
from .tables import dead_letters
from .transient_errors import ATTEMPTS, PAUSE_SECONDS, is_transient
from .unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["EventHandler", "IdempotentConsumer", "Inbound", "Rejection", "forget_offsets"]

log = logging.getLogger(__name__)


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
        # Held while a batch commits and while an assignment seeks: a seek that read the stored
        # offsets before a batch committed would send the consumer back over that batch.
        self._positions = asyncio.Lock()

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
                await self._process_retrying(records)

    async def seek_to_stored(self, assigned: set[TopicPartition]) -> None:
        log.info(
            "partitions assigned",
            extra=log_fields(group=self.group_id, partitions=sorted(f"{tp.topic}:{tp.partition}" for tp in assigned)),
        )
        if not assigned:
            return
        async with self._positions:
            await self._seek(assigned)

    async def _seek(self, assigned: set[TopicPartition]) -> None:
        stored = await stored_offsets(self.uow_factory.engine, self.group_id)
        unstored = []
        for tp in assigned:
            # An offset past the end (a broker that lost its data) makes aiokafka fall back to
            # auto_offset_reset=earliest; the inbox skips whatever was applied already.
            if tp in stored:
                self.consumer.seek(tp, stored[tp])
            else:
                unstored.append(tp)
        if unstored:
            # One reset for all of them: each call waits for the fetch in flight (up to 500 ms when
            # nothing arrives), which a call per partition paid once per partition.
            await self.consumer.seek_to_beginning(*unstored)

    async def _process_retrying(self, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        """``process``, again after a transient database error (``transient_errors``: the batch's
        transaction was rolled back and its offsets not stored; the handlers keep nothing between
        batches), up to ATTEMPTS in all; any other error, or the last, ends the consumer as before."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                await self.process(records)
                return
            except Exception as exc:
                if attempt == ATTEMPTS or not is_transient(exc):
                    raise
                fields = log_fields(group=self.group_id, records=len(records), attempt=attempt)
                log.warning(f"transient database error in a batch: {type(exc).__name__}", extra=fields)
            await asyncio.sleep(PAUSE_SECONDS * attempt)

    async def process(self, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        """Apply one fetched batch exactly once, then commit its offsets to Kafka."""
        async with self._positions, self.uow_factory() as uow:
            applied, _ = await self._apply(uow, records)
            positions = await store_offsets(uow, self.group_id, records, applied, self.consumer.highwater)
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
        records = [stored_record(row) for row in rows]
        _, failures = await self._apply(uow, records, dead_letter=False)
        failing = {(f.record.topic, f.record.partition, f.record.offset): f.reason for f in failures}
        for row in rows:
            reason = failing.get((row.topic, row.partition, row.offset))
            values = {"reason": reason} if reason else {"redriven_at": text("now()")}
            await uow.conn.execute(dead_letters.update().where(dead_letters.c.id == row.id).values(**values))
        return len(rows) - len(failing), len(failing)

    async def _apply(
        self, uow: UnitOfWork, records: list[ConsumerRecord[bytes, bytes]], *, dead_letter: bool = True
    ) -> tuple[list[Inbound], list[Poison]]:
        """Parse, de-duplicate through the inbox and hand fresh events to the handler; park the
        events it defers and retry the parked events of the subjects it applied events for."""
        inbound, poison = inbox.parse(records)
        fresh = await inbox.claim_fresh(uow, self.group_id, inbound, redrive=not dead_letter)
        if not fresh:
            if dead_letter:
                await dead_lettering.dead_letter(uow, self.group_id, self.dead_letter_topic, poison)
            return [], poison
        held = await self.parking.held(uow, fresh)
        settled = await settle(uow, self.handler, fresh, held)
        await self.parking.park(uow, settled.parked)
        refusals = [Refusal.of(r) for r in settled.rejected]
        await inbox.release(uow, self.group_id, refusals)
        poison.extend(Poison.of(r) for r in refusals)
        if dead_letter:
            await dead_lettering.dead_letter(uow, self.group_id, self.dead_letter_topic, poison)
        waiting = {subject for _, subject in held} | {p.inbound.envelope.subject for p in settled.parked}
        retry = {e.envelope.subject for e in settled.applied} & waiting
        # An event parked behind one parked earlier: that one may just have been applied by a replica.
        retry |= {p.inbound.envelope.subject for p in settled.parked if p.inbound.queue in held}
        retried = await self.parking.retry(uow, retry) if retry else []
        return settled.applied + retried, poison

    async def _refuse(self, uow: UnitOfWork, refusals: Sequence[Refusal]) -> None:
        """Dead-letter parked events that turned out invalid or waited too long."""
        await inbox.release(uow, self.group_id, refusals)
        await dead_lettering.dead_letter(uow, self.group_id, self.dead_letter_topic, [Poison.of(r) for r in refusals])
