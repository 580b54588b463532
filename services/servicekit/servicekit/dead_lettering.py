"""Writing dead letters: events a consumer cannot apply, kept with the reason and their origin.

A dead letter is a row in ``dead_letters`` (re-drivable after a fix) and a message on the
dead-letter topic; an event dead-lettered on an earlier delivery is not written twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert

from .logging import log_fields
from .parking import Refusal
from .tables import dead_letters
from .unit_of_work import UnitOfWork

log = logging.getLogger("servicekit.consumer")


@dataclass(frozen=True)
class Poison:
    """A record on its way to the dead letters, and why."""

    record: ConsumerRecord[bytes, bytes]
    event_id: str | None
    reason: str

    @classmethod
    def of(cls, refusal: Refusal) -> Poison:
        return cls(refused_record(refusal), refusal.event_id, refusal.reason)


async def dead_letter(uow: UnitOfWork, group: str, topic: str, poison: Sequence[Poison]) -> None:
    """Store each poison record for ``group`` and publish it to the dead-letter ``topic``."""
    for item in poison:
        record = item.record
        stmt = insert(dead_letters).values(
            consumer_group=group,
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
            extra=log_fields(topic=record.topic, partition=record.partition, offset=record.offset, reason=item.reason),
        )
        uow.publish_raw(
            topic=topic,
            key=(record.key or b"").decode(errors="replace"),
            event_type="deadletter",
            body=orjson.dumps(
                {
                    "consumer_group": group,
                    "event_id": item.event_id,
                    "topic": record.topic,
                    "partition": record.partition,
                    "offset": record.offset,
                    "reason": item.reason,
                    "original": (record.value or b"").decode(errors="replace"),
                }
            ),
        )


def stored_record(row: Any) -> ConsumerRecord[bytes, bytes]:
    """A dead letter's row as the record it was consumed from (for a re-drive)."""
    return _record(row.topic, row.partition, row.offset, None, row.payload)


def refused_record(refusal: Refusal) -> ConsumerRecord[bytes, bytes]:
    return _record(refusal.topic, refusal.partition, refusal.offset, refusal.key.encode(), refusal.payload)


def _record(topic: str, partition: int, offset: int, key: bytes | None, value: bytes) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic=topic,
        partition=partition,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=len(value),
        headers=[],
    )


def reason_of(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "invalid event: " + "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:5]
        )
    return f"{type(exc).__name__}: {exc}"
