"""What a CRM batch loaded and what it wrote, and the errors that send it back to one by one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ...application.crm_ports import BatchNotApplicable, StagedEvent
from ...domain.crm import CrmRecord
from ...domain.deal import Deal
from ...domain.identity import CustomerIdentity
from ...domain.partner import Partner
from ...domain.registration import DirectDeal, KnownRegistration
from ..held_events import HistoryEntry
from .journal import UndoJournal


class NotPrepared(BatchNotApplicable):
    """The batch was asked something it did not load: apply it one delivery at a time instead."""


class ClaimLost(BatchNotApplicable):
    """Another transaction claimed one of the batch's notification ids meanwhile: one at a time instead."""


@dataclass
class BatchState:
    """What a batch reads (loaded up front) and what it writes (kept until the flush)."""

    # Loaded.
    records: dict[tuple[str, str], CrmRecord | None] = field(default_factory=dict)
    deals: dict[str, Deal | None] = field(default_factory=dict)
    existed: set[str] = field(default_factory=set)
    fresh: set[tuple[str, str]] = field(default_factory=set)  # notification ids this batch may claim
    claimed: dict[tuple[str, str], str] = field(default_factory=dict)  # claimed (in order): the record
    asked: set[tuple[str, str]] = field(default_factory=set)  # every notification id of the batch
    record_buckets: set[int] = field(default_factory=set)
    customer_buckets: set[int] = field(default_factory=set)
    identities: set[CustomerIdentity] = field(default_factory=set)
    known_since: date | None = None
    known: dict[str, KnownRegistration] = field(default_factory=dict)
    match_keys: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    by_key: dict[str, set[str]] = field(default_factory=dict)
    direct: list[DirectDeal] = field(default_factory=list)
    partners: dict[str, Partner | None] = field(default_factory=dict)
    daily: dict[str, dict[date, int]] = field(default_factory=dict)
    daily_partners: set[str] = field(default_factory=set)
    daily_window: tuple[date, date] | None = None
    # Written.
    new_deals: list[str] = field(default_factory=list)  # in registration order
    new_source: dict[str, str] = field(default_factory=dict)
    updated: set[str] = field(default_factory=set)
    history: list[HistoryEntry] = field(default_factory=list)
    saved_records: dict[tuple[str, str], str] = field(default_factory=dict)  # outcome per record
    outcomes: dict[tuple[str, str], str] = field(default_factory=dict)
    events: list[StagedEvent] = field(default_factory=list)
    # The history's payloads as JSON by event id, encoded once at the flush for the row and the envelope.
    encoded: dict[str, bytes] = field(default_factory=dict)


def known_of(deal: Deal) -> KnownRegistration:
    """A deal as an earlier registration (what ``known_registrations`` answers)."""
    return KnownRegistration(
        deal.deal_id,
        deal.partner_id,
        deal.identity,
        deal.product_key,  # as the deals table stores it
        deal.status,
        deal.registered_on,
    )


def remember(
    state: BatchState, journal: UndoJournal, deal_id: str, name_key: str, domain: str | None, known: KnownRegistration
) -> None:
    """A registration as ``known_registrations`` finds it (by its stored name key and domain)."""
    journal.assign(state.known, deal_id, known)
    journal.assign(state.match_keys, deal_id, (name_key, domain))
    for key in (f"n:{name_key}", f"d:{domain}") if domain else (f"n:{name_key}",):
        ids = state.by_key.get(key)
        if ids is None:
            ids = set()
            journal.assign(state.by_key, key, ids)
        journal.add(ids, deal_id)
