"""Events emitted inside ``atomically`` blocks wait until the outermost block succeeds.

Both units of the service (the SQL unit and the CRM batch unit) stage events this way: an event
emitted inside a block is held with the block; when the block fails its held events are dropped
(as its writes are undone), when it succeeds they pass to the enclosing block, and the outermost
block hands them on (to the outbox, or to the batch's list of events).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime

from incentive_contracts.envelope import new_event_id
from incentive_contracts.payload import EventPayload

from ..application.crm_ports import StagedEvent

HistoryEntry = tuple[str, str, EventPayload, datetime, str | None]
"""A deal history entry: deal id, event id, the event, when, by whom."""


def event_ids(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs as strings, from one read of the OS's random source.

    The same ids as ``new_event_id`` gives (RFC 4122 version 4), made in bulk: a 5,000-deal
    registration emits 10,000 events, and one ``uuid4()`` each was a noticeable share of its time.
    """
    if count == 1:
        return [new_event_id()]
    ids = []
    raw = bytearray(os.urandom(16 * count))
    for start in range(0, 16 * count, 16):
        raw[start + 6] = (raw[start + 6] & 0x0F) | 0x40  # version 4
        raw[start + 8] = (raw[start + 8] & 0x3F) | 0x80  # RFC 4122 variant
        h = raw[start : start + 16].hex()
        ids.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return ids


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
        ids = event_ids(len(events)) if ids is None else ids
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
