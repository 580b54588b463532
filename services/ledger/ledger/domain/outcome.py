"""What handling one event produces: journal entries, events to announce, and the new state."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from incentive_contracts.payload import EventPayload

from .journal import JournalEntry
from .state import DealRecord, PartnerLedger

ENTRY_NAMESPACE = uuid.UUID("6f1c9a52-1f0e-4d7a-9d3b-5b8f3f0c2a11")
ANNOUNCEMENT_NAMESPACE = uuid.UUID("3d0c2b8e-8a3f-4b61-a4f7-1e2d9c7b5a40")


@dataclass(frozen=True)
class EventMeta:
    """The consumed event's identity: its id and when its producer recorded it (envelope time)."""

    event_id: str
    recorded_at: datetime


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
    return str(uuid.uuid5(ENTRY_NAMESPACE, f"{caused_by}:{kind}:{index}"))


def announcement_id(*parts: str) -> str:
    return str(uuid.uuid5(ANNOUNCEMENT_NAMESPACE, ":".join(parts)))


def business_time(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
