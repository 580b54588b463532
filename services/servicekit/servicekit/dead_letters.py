"""Dead letters as an operator sees them: list, read one, re-drive one or all (each at most once).

A re-drive goes through the consumer's own handler and inbox (:meth:`IdempotentConsumer.redrive_in`),
in the caller's unit of work: an event applied meanwhile is not applied twice, a dead letter marked
re-driven is never re-driven again, and one that still fails keeps its place with the new reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from incentive_kernel.paging import Page
from sqlalchemy import select

from .consumer import IdempotentConsumer
from .keyset import fetch_page
from .pagination import decode_int_cursor
from .tables import dead_letters
from .unit_of_work import UnitOfWork


class DeadLetterNotFound(LookupError):
    """No dead letter with this id (HTTP 404)."""


class AlreadyRedriven(Exception):
    """The dead letter was re-driven before (HTTP 409): a re-drive happens at most once."""


class NotThisConsumers(Exception):
    """The dead letter belongs to a consumer group this service no longer runs (HTTP 409)."""


@dataclass(frozen=True)
class DeadLetter:
    id: int
    consumer_group: str
    event_id: str | None
    reason: str
    topic: str
    partition: int
    offset: int
    dead_lettered_at: datetime
    redriven_at: datetime | None


DeadLetterPage = Page[DeadLetter]


@dataclass(frozen=True)
class RedriveOutcome:
    applied: int
    still_failing: list[DeadLetter]


def _letter(row: Any) -> DeadLetter:
    return DeadLetter(
        id=row.id,
        consumer_group=row.consumer_group,
        event_id=row.event_id,
        reason=row.reason,
        topic=row.topic,
        partition=row.partition,
        offset=row.offset,
        dead_lettered_at=row.created_at,
        redriven_at=row.redriven_at,
    )


_COLUMNS = [c for c in dead_letters.c if c.name != "payload"]


async def list_dead_letters(
    uow: UnitOfWork, *, redriven: bool | None = None, cursor: str | None = None, limit: int = 50
) -> DeadLetterPage:
    """Oldest first; ``redriven`` False lists those still waiting for a re-drive."""
    stmt = select(*_COLUMNS)
    if redriven is not None:
        stmt = stmt.where(dead_letters.c.redriven_at.is_not(None) if redriven else dead_letters.c.redriven_at.is_(None))
    after = decode_int_cursor(cursor)
    return await fetch_page(uow.conn, stmt, dead_letters.c.id, after=after, limit=limit, convert=_letter)


async def get_dead_letter(uow: UnitOfWork, dead_letter_id: int, *, for_update: bool = False) -> DeadLetter:
    stmt = select(*_COLUMNS).where(dead_letters.c.id == dead_letter_id)
    row = (await uow.conn.execute(stmt.with_for_update() if for_update else stmt)).first()
    if row is None:
        raise DeadLetterNotFound(f"dead letter {dead_letter_id} not found")
    return _letter(row)


async def redrive_one(uow: UnitOfWork, consumer: IdempotentConsumer, dead_letter_id: int) -> DeadLetter:
    """Re-drive one dead letter; returns it afterwards (``redriven_at`` set, or the new reason).

    The row is locked first, so of two concurrent re-drives the second waits and then finds it
    re-driven (409).
    """
    letter = await get_dead_letter(uow, dead_letter_id, for_update=True)
    if letter.redriven_at is not None:
        raise AlreadyRedriven(f"dead letter {dead_letter_id} was re-driven at {letter.redriven_at.isoformat()}")
    if letter.consumer_group != consumer.group_id:
        raise NotThisConsumers(
            f"dead letter {dead_letter_id} belongs to consumer group {letter.consumer_group!r}; this service "
            f"consumes as {consumer.group_id!r}"
        )
    await consumer.redrive_in(uow, [dead_letter_id])
    return await get_dead_letter(uow, dead_letter_id)


async def redrive_all(uow: UnitOfWork, consumer: IdempotentConsumer) -> RedriveOutcome:
    """Re-drive every dead letter of the service's consumer not re-driven yet."""
    applied, _ = await consumer.redrive_in(uow)
    failing = await uow.conn.execute(
        select(*_COLUMNS)
        .where(dead_letters.c.consumer_group == consumer.group_id, dead_letters.c.redriven_at.is_(None))
        .order_by(dead_letters.c.id)
    )
    return RedriveOutcome(applied=applied, still_failing=[_letter(r) for r in failing])
