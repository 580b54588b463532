"""Loading an aggregate from its stream and recording what a decision produced: appended to the
stream and published through the outbox in the same unit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from incentive_contracts.payload import EventPayload

from ..domain.errors import NotFound
from .ports import GovernanceUnit, StreamRow

S = TypeVar("S")


@dataclass(frozen=True)
class Kind(Generic[S]):
    """One aggregate kind: its stream prefix, how events fold and how a state is listed."""

    name: str
    evolve: Callable[[S | None, EventPayload], S]
    row: Callable[[S], StreamRow]

    def stream_id(self, key: str) -> str:
        return f"{self.name}:{key}"

    def fold(self, events: Sequence[EventPayload]) -> S | None:
        state: S | None = None
        for event in events:
            state = self.evolve(state, event)
        return state


@dataclass(frozen=True)
class Loaded(Generic[S]):
    key: str
    state: S | None
    version: int


async def load(unit: GovernanceUnit, kind: Kind[S], key: str, *, for_update: bool = False) -> Loaded[S]:
    events = await unit.streams.load(kind.stream_id(key), for_update=for_update)
    return Loaded(key, kind.fold(events), len(events))


async def require(
    unit: GovernanceUnit, kind: Kind[S], key: str, *, for_update: bool = False, partner_id: str | None = None
) -> Loaded[S]:
    """The aggregate, or NotFound (also when it belongs to another partner than ``partner_id``)."""
    loaded = await load(unit, kind, key, for_update=for_update)
    if loaded.state is None or (partner_id is not None and kind.row(loaded.state).partner_id != partner_id):
        raise NotFound(f"{kind.name} {key} not found")
    return loaded


async def record(unit: GovernanceUnit, kind: Kind[S], loaded: Loaded[S], events: Sequence[EventPayload]) -> S:
    """Append ``events`` to the stream, publish them, and return the state after them (which exists)."""
    state = await append(unit, kind, loaded, events)
    if state is None:
        raise NotFound(f"{kind.name} {loaded.key} not found")
    return state


async def append(unit: GovernanceUnit, kind: Kind[S], loaded: Loaded[S], events: Sequence[EventPayload]) -> S | None:
    """Append ``events`` (if any) to the stream and publish them; the state after them."""
    state = loaded.state
    for event in events:
        state = kind.evolve(state, event)
    if not events or state is None:
        return state
    await unit.streams.append(kind.stream_id(loaded.key), kind.name, kind.row(state), loaded.version, events)
    now = unit.clock.now()
    for event in events:
        unit.publish(event, time=now)
    return state
