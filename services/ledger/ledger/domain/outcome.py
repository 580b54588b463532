"""What handling one event produces: journal entries, events to announce, and the new state."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from incentive_contracts.payload import EventPayload

from .frozen import quick_init
from .journal import JournalEntry
from .state import DealRecord, PartnerLedger

ENTRY_NAMESPACE = uuid.UUID("6f1c9a52-1f0e-4d7a-9d3b-5b8f3f0c2a11")
ANNOUNCEMENT_NAMESPACE = uuid.UUID("3d0c2b8e-8a3f-4b61-a4f7-1e2d9c7b5a40")
_NAMESPACE_BYTES = {ENTRY_NAMESPACE: ENTRY_NAMESPACE.bytes, ANNOUNCEMENT_NAMESPACE: ANNOUNCEMENT_NAMESPACE.bytes}


@quick_init
@dataclass(frozen=True)
class EventMeta:
    """The consumed event's identity: its id and when its producer recorded it (envelope time).

    ``announces`` is False where what the rules announce is not published (a replay: the live ledger
    announced it): the rules may then leave out of the outcome the announcements of every won deal
    (its MDF accrual), the costliest to build; nothing else of the outcome changes."""

    event_id: str
    recorded_at: datetime
    announces: bool = True


@quick_init
@dataclass(frozen=True)
class Announcement:
    """An event the ledger publishes (partner.tier_changed, ledger.mdf_accrued...)."""

    payload: EventPayload
    time: datetime
    event_id: str
    causation_id: str


@dataclass
class Outcome:
    partner: PartnerLedger
    deals: dict[str, DealRecord] = field(default_factory=dict)  # only the deals that changed
    entries: list[JournalEntry] = field(default_factory=list)
    announcements: list[Announcement] = field(default_factory=list)


def entry_id(caused_by: str, kind: str, index: int = 0) -> str:
    return _uuid5(_ENTRY_PREFIX, f"{caused_by}:{kind}:{index}")


def announcement_id(*parts: str) -> str:
    return _uuid5(_ANNOUNCEMENT_PREFIX, ":".join(parts))


def name_based_id(namespace: uuid.UUID, name: str) -> str:
    """``str(uuid.uuid5(namespace, name))`` without building a UUID object (it is a hot path)."""
    prefix = _NAMESPACE_BYTES.get(namespace) or namespace.bytes  # ``UUID.bytes`` converts on every read
    return _uuid5(prefix, name)


def _uuid5(prefix: bytes, name: str) -> str:
    """The SHA-1 of the namespace's bytes and the name, as hex with the version (5) and the RFC 4122
    variant written over its 13th and 17th digits, grouped 8-4-4-4-12."""
    h = hashlib.sha1(prefix + name.encode(), usedforsecurity=False).hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


_ENTRY_PREFIX, _ANNOUNCEMENT_PREFIX = ENTRY_NAMESPACE.bytes, ANNOUNCEMENT_NAMESPACE.bytes
# the 17th hex digit with its two high bits set to 10 (the variant): 0-3 -> 8-b, 4-7 -> 8-b, ...
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def business_time(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
