"""What a consumer hands its :class:`EventHandler`, what the handler answers, and how one batch is
settled in order: applied, parked (waiting for something not yet known) or rejected.

A handler answers for an event it cannot apply with a :class:`Rejection`. With ``waiting_for`` set
the event is not invalid, only early (its partner, deal or allocation is not known yet): the consumer
parks it instead of dead-lettering it. Order across topics is never guaranteed, so a consumer must
not depend on it; order within a topic is, and parking keeps it: the later events of a parked
event's (topic, subject) park behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from incentive_contracts.envelope import CloudEvent
from incentive_contracts.payload import EventPayload

from .unit_of_work import UnitOfWork

QueueKey = tuple[str, str]  # (topic, subject): the order a partner's events keep within a topic


@dataclass(frozen=True)
class Inbound:
    """One consumed event, decoded to the latest payload version."""

    envelope: CloudEvent
    payload: EventPayload
    topic: str
    partition: int
    offset: int
    raw: bytes

    @property
    def queue(self) -> QueueKey:
        return (self.topic, self.envelope.subject)


@dataclass(frozen=True)
class Rejection:
    """An event the handler did not apply (and whose effects it did not write).

    ``waiting_for`` (e.g. ``"partner:p-1"``) says the event is valid but depends on something this
    consumer has not seen yet: it is parked and retried, not dead-lettered."""

    inbound: Inbound
    reason: str
    waiting_for: str | None = None


class EventHandler(Protocol):
    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        """Apply the events' effects through ``uow`` (no commit); return those that cannot apply."""
        ...


@dataclass(frozen=True)
class Parked:
    inbound: Inbound
    waiting_for: str
    reason: str


@dataclass
class Settled:
    applied: list[Inbound]
    parked: list[Parked]
    rejected: list[Rejection]


async def settle(
    uow: UnitOfWork, handler: EventHandler, events: Sequence[Inbound], held: dict[QueueKey, str]
) -> Settled:
    """Hand ``events`` (in order) to ``handler``, keeping each (topic, subject) queue in order.

    ``held`` maps the queues that already have a parked event to what it waits for; events of those
    queues park behind it without reaching the handler. When the handler defers an event and later
    events of its queue were in the same call, the call is undone (a savepoint) and made again
    without them: they park behind the deferred one. Each round parks at least one more event, so
    this ends."""
    held = dict(held)
    deferrals: dict[str, Parked] = {}
    parked: list[Parked] = []
    pending = list(events)
    while True:
        candidates: list[Inbound] = []
        for event in pending:
            if event.envelope.id in deferrals:
                parked.append(deferrals[event.envelope.id])
            elif event.queue in held:
                parked.append(
                    Parked(event, held[event.queue], f"behind an earlier event waiting for {held[event.queue]}")
                )
            else:
                candidates.append(event)
        if not candidates:
            return Settled([], _in_order(parked, events), [])
        async with uow.savepoint() as savepoint:
            rejections = list(await handler.handle(uow, candidates))
            deferred = {r.inbound.envelope.id: r for r in rejections if r.waiting_for is not None}
            blocked = _blocked_followers(candidates, deferred)
            if not blocked:
                parked.extend(Parked(r.inbound, r.waiting_for or "", r.reason) for r in deferred.values())
                refused = {r.inbound.envelope.id for r in rejections}
                invalid = [r for r in rejections if r.waiting_for is None]
                applied = [e for e in candidates if e.envelope.id not in refused]
                return Settled(applied, _in_order(parked, events), invalid)
            await savepoint.rollback()
        for rejection in deferred.values():
            held.setdefault(rejection.inbound.queue, rejection.waiting_for or "")
            deferrals[rejection.inbound.envelope.id] = Parked(
                rejection.inbound, rejection.waiting_for or "", rejection.reason
            )
        pending = candidates


def _blocked_followers(candidates: list[Inbound], deferred: dict[str, Rejection]) -> bool:
    """Whether an event was handed over after a deferred event of its own queue."""
    waiting: set[QueueKey] = set()
    for event in candidates:
        if event.queue in waiting:
            return True
        if event.envelope.id in deferred:
            waiting.add(event.queue)
    return False


def _in_order(parked: list[Parked], events: Sequence[Inbound]) -> list[Parked]:
    position = {e.envelope.id: n for n, e in enumerate(events)}
    return sorted(parked, key=lambda p: position[p.inbound.envelope.id])
