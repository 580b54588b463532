"""The batch unit: a RegistrationUnit over a :class:`BatchState` that reads what was loaded and
writes to memory, with savepoints kept as an undo journal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from incentive_contracts.payload import EventPayload

from ...application.ports import Clock
from ..held_events import HeldEvents, history_entries
from .journal import UndoJournal
from .repos import (
    BatchCrmRecords,
    BatchDeals,
    BatchDirectDeals,
    BatchEngagements,
    BatchLocks,
    BatchPartners,
    BatchPrograms,
)
from .state import BatchState


class BatchUnit:
    """A RegistrationUnit over a :class:`BatchState`: reads what was loaded, writes to memory.

    ``atomically`` notes how to undo every change made inside it, so a rejected notification
    leaves nothing behind, as a rolled-back savepoint would; its events are held as the SQL unit
    holds them (:class:`..held_events.HeldEvents`), then kept in ``state.events`` for the outbox.
    """

    def __init__(self, state: BatchState, clock: Clock) -> None:
        self.state = state
        self._journal = UndoJournal()
        self.partners = BatchPartners(state, self._journal)
        self.programs = BatchPrograms()
        self.deals = BatchDeals(state, self._journal)
        self.direct_deals = BatchDirectDeals(state, self._journal)
        self.engagements = BatchEngagements(state, self._journal)
        self.crm = BatchCrmRecords(state, self._journal)
        self.locks = BatchLocks(state, self._journal)
        self.clock = clock
        self._events = HeldEvents(state.events.append)

    async def emit(self, events: Sequence[EventPayload], *, actor: str | None = None) -> None:
        staged = self._events.stage(events, self.clock.now())
        for entry in history_entries(staged, actor):
            self._journal.append(self.state.history, entry)

    @asynccontextmanager
    async def atomically(self) -> AsyncIterator[None]:
        with self._events.block(), self._journal.savepoint():
            yield
