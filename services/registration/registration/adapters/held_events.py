"""Events emitted inside ``atomically`` blocks wait until the outermost block succeeds.

Both units of the service (the SQL unit and the CRM batch unit) stage events this way: an event
emitted inside a block is held with the block; when the block fails its held events are dropped
(as its writes are undone), when it succeeds they pass to the enclosing block, and the outermost
block hands them on (to the outbox, or to the batch's list of events).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime

from incentive_contracts.event_ids import new_event_ids
from incentive_contracts.payload import EventPayload

from ..application.crm_ports import StagedEvent

HistoryEntry = tuple[str, str, EventPayload, datetime, str | None]
"""A deal history entry: deal id, event id, the event, when, by whom."""


class HeldEvents:
    """A stack of held events, one level per open ``atomically`` block."""

    def __init__(self, release: Callable[[StagedEvent], object]) -> None:
        self._release = release
        self._held: list[list[StagedEvent]] = []

    def stage(
        self, events: Sequence[EventPayload], at: datetime, ids: Sequence[str] | None = None
    ) -> list[StagedEvent]:
        """Give each event an id (``ids``, or new ones) and hold it (or release it when no block is
        open); returns them staged."""
        ids = new_event_ids(len(events)) if ids is None else ids
        staged = [(event, at, event_id) for event, event_id in zip(events, ids, strict=True)]
        for item in staged:
            self._pass_on(item)
        return staged

    @contextmanager
    def block(self) -> Iterator[None]:
        """One ``atomically`` block: what is staged inside is dropped if it fails, passed on if not."""
        self._held.append([])
        try:
            yield
        except BaseException:
            self._held.pop()
            raise
        for item in self._held.pop():
            self._pass_on(item)

    def _pass_on(self, item: StagedEvent) -> None:
        if self._held:
            self._held[-1].append(item)
        else:
            self._release(item)


def history_entries(staged: Sequence[StagedEvent], actor: str | None) -> list[HistoryEntry]:
    """The deal history entries of these events (those about a deal), in order."""
    return [
        (deal_id, event_id, event, at, actor)
        for event, at, event_id in staged
        for deal_id in [getattr(event, "deal_id", None)]
        if deal_id is not None
    ]


def history_rows(
    entries: Sequence[HistoryEntry], *, as_text: bool, encoded: Mapping[str, bytes] | None = None
) -> list[dict[str, object]]:
    """The rows ``deal_history`` stores for these entries; ``as_text`` gives the data as JSON text
    (what COPY takes) instead of a JSON-ready dict. ``encoded``: payloads' JSON by event id
    (``payload_json``, the bytes ``model_dump_json`` gives), already encoded for their envelopes."""
    found = encoded or {}
    return [
        {
            "deal_id": deal_id,
            "event_id": event_id,
            "event_type": event.event_type,
            "occurred_at": at,
            "actor": actor,
            "data": _text(event, found.get(event_id)) if as_text else event.model_dump(mode="json"),
        }
        for deal_id, event_id, event, at, actor in entries
    ]


def _text(event: EventPayload, encoded: bytes | None) -> str:
    return event.model_dump_json() if encoded is None else encoded.decode()
