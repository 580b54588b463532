"""Parked events: valid events that wait, durably and in order, for what they depend on.

An event its handler defers (a :class:`~servicekit.handling.Rejection` with ``waiting_for``) is
stored in ``parked_events`` instead of ``dead_letters``; its inbox row stays, so a redelivery is
not applied twice, and the partition's offset is committed past it. Later events of its (topic,
subject) park behind it. After every batch the parked events of the subjects it applied events for
are tried again, in the order they parked (and every parked event, periodically); one that applies
is moved to the end of the consumed-event log, so a replay of the log applies it where the live
consumer did. One parked longer than the timeout is dead-lettered with what it waited for.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from incentive_contracts.envelope import CloudEvent
from incentive_contracts.registry import decode
from pydantic import ValidationError
from sqlalchemy import Text, and_, any_, delete, func, literal, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, insert

from .handling import EventHandler, Inbound, Parked, QueueKey, Rejection, settle
from .logging import log_fields
from .tables import parked_events
from .unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    """An event on its way to the dead letters (its inbox row goes, so a re-drive can apply it)."""

    event_id: str
    topic: str
    partition: int
    offset: int
    key: str
    payload: bytes
    reason: str

    @classmethod
    def of(cls, rejection: Rejection) -> Refusal:
        e = rejection.inbound
        return cls(e.envelope.id, e.topic, e.partition, e.offset, e.envelope.subject, e.raw, rejection.reason)

    @classmethod
    def of_row(cls, row: Any, reason: str) -> Refusal:
        return cls(row.event_id, row.topic, row.partition, row.offset, row.subject, row.payload, reason)


Reject = Callable[[UnitOfWork, Sequence[Refusal]], Awaitable[None]]
MOVE_TO_LOG_END = text(
    "UPDATE consumed_events SET consumed_seq = nextval('consumed_seq') WHERE consumer_group = :group AND event_id = :id"
)
RETRY_ROUNDS = 5  # an applied event may unblock another queue of the same subject


@dataclass(frozen=True)
class Stored:
    """A parked row read back; ``inbound`` is None when its payload no longer decodes."""

    row: Any
    inbound: Inbound | None


class ParkingLot:
    def __init__(
        self, *, group_id: str, handler: EventHandler, reject: Reject, timeout: timedelta, retry_limit: int = 1000
    ) -> None:
        self.group_id = group_id
        self.handler = handler
        self.reject = reject
        self.timeout = timeout
        self.retry_limit = retry_limit

    async def held(self, uow: UnitOfWork, events: Sequence[Inbound]) -> dict[QueueKey, str]:
        """The queues among ``events``' that already have a parked event, and what it waits for."""
        subjects = sorted({e.envelope.subject for e in events})
        if not subjects:
            return {}
        # Locked (in serial order, before the handler locks anything of its own), as the retries and
        # the periodic sweep lock them: every unit takes a subject's parked rows before its state.
        rows = await uow.conn.execute(
            select(parked_events.c.topic, parked_events.c.subject, parked_events.c.waiting_for)
            .where(
                parked_events.c.consumer_group == self.group_id,
                # One array parameter: a projector batch has thousands of subjects.
                parked_events.c.subject == any_(literal(subjects, type_=ARRAY(Text))),
            )
            .order_by(parked_events.c.serial)
            .with_for_update()
        )
        held: dict[QueueKey, str] = {}
        for row in rows:
            held.setdefault((row.topic, row.subject), row.waiting_for)
        return held

    async def park(self, uow: UnitOfWork, parked: Sequence[Parked]) -> None:
        if not parked:
            return
        rows = [
            {
                "consumer_group": self.group_id,
                "event_id": p.inbound.envelope.id,
                "topic": p.inbound.topic,
                "partition": p.inbound.partition,
                "offset": p.inbound.offset,
                "subject": p.inbound.envelope.subject,
                "waiting_for": p.waiting_for,
                "reason": p.reason,
                "payload": p.inbound.raw,
            }
            for p in parked
        ]
        for row in rows:  # one by one: the serial follows the events' order
            await uow.conn.execute(insert(parked_events).on_conflict_do_nothing(constraint="parked_events_event"), row)
        for p in parked:
            log.info(
                "parked event",
                extra=log_fields(
                    group=self.group_id,
                    event_id=p.inbound.envelope.id,
                    topic=p.inbound.topic,
                    waiting_for=p.waiting_for,
                ),
            )

    async def retry(self, uow: UnitOfWork, subjects: set[str] | None = None) -> list[Inbound]:
        """Try the parked events (of ``subjects``, or the oldest ones) again; returns those applied."""
        applied: list[Inbound] = []
        for _ in range(RETRY_ROUNDS):
            stored = await self._load(uow, subjects)
            if not stored:
                break
            progress = await self._retry_once(uow, stored)
            applied.extend(progress)
            if not progress:
                break
        return applied

    async def expire(self, uow: UnitOfWork) -> int:
        """Dead-letter the events parked longer than the timeout; returns how many."""
        rows = (
            await uow.conn.execute(
                select(parked_events, (func.now() - parked_events.c.parked_at).label("waited"))
                .where(
                    parked_events.c.consumer_group == self.group_id,
                    parked_events.c.parked_at < func.now() - self.timeout,
                )
                .order_by(parked_events.c.serial)
                .limit(self.retry_limit)
            )
        ).all()
        refusals = [
            Refusal.of_row(
                row,
                f"waited {_duration(row.waited)} for {row.waiting_for} "
                f"(timeout {_duration(self.timeout)}): {row.reason}",
            )
            for row in rows
        ]
        if refusals:
            await self._delete_parked(uow, [r.event_id for r in refusals])
            await self.reject(uow, refusals)
        return len(refusals)

    async def _load(self, uow: UnitOfWork, subjects: set[str] | None) -> list[Stored]:
        stmt = select(parked_events).where(parked_events.c.consumer_group == self.group_id)
        if subjects is not None:
            if not subjects:
                return []
            stmt = stmt.where(parked_events.c.subject.in_(sorted(subjects)))
        # Locked: replicas owning other partitions may retry the same subject's events at once.
        stmt = stmt.order_by(parked_events.c.serial).limit(self.retry_limit).with_for_update()
        rows = (await uow.conn.execute(stmt)).all()
        return [Stored(row, _inbound(row)) for row in rows]

    async def _retry_once(self, uow: UnitOfWork, stored: list[Stored]) -> list[Inbound]:
        undecodable = [s.row for s in stored if s.inbound is None]
        for row in undecodable:  # kept as they are until they time out (a deploy may fix the decoder)
            log.warning("parked event no longer decodes", extra=log_fields(event_id=row.event_id))
        events = [s.inbound for s in stored if s.inbound is not None]
        held = {(r.topic, r.subject): r.waiting_for for r in undecodable}
        settled = await settle(uow, self.handler, events, held)
        if settled.applied:
            await self._delete_parked(uow, [e.envelope.id for e in settled.applied])
            for event in settled.applied:
                await uow.conn.execute(MOVE_TO_LOG_END, {"group": self.group_id, "id": event.envelope.id})
                log.info("applied parked event", extra=log_fields(group=self.group_id, event_id=event.envelope.id))
        if settled.rejected:
            await self._delete_parked(uow, [r.inbound.envelope.id for r in settled.rejected])
            await self.reject(uow, [Refusal.of(r) for r in settled.rejected])
        for p in settled.parked:
            await uow.conn.execute(
                update(parked_events)
                .where(
                    and_(
                        parked_events.c.consumer_group == self.group_id,
                        parked_events.c.event_id == p.inbound.envelope.id,
                    )
                )
                .values(waiting_for=p.waiting_for, reason=p.reason)
            )
        return settled.applied

    async def _delete_parked(self, uow: UnitOfWork, event_ids: list[str]) -> None:
        await uow.conn.execute(
            delete(parked_events).where(
                parked_events.c.consumer_group == self.group_id, parked_events.c.event_id.in_(event_ids)
            )
        )


def _inbound(row: Any) -> Inbound | None:
    try:
        envelope = CloudEvent.from_json(row.payload)
        return Inbound(envelope, decode(envelope), row.topic, row.partition, row.offset, row.payload)
    except (ValueError, ValidationError):
        return None


def _duration(value: timedelta) -> str:
    return str(timedelta(seconds=int(value.total_seconds())))
