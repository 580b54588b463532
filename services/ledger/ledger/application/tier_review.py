"""The yearly tier review as a command: apply every review due up to a date, for every partner.

It runs the same pure function the projector applies lazily on a partner's next event, so the
tiers it sets (and the partner.tier_changed ids it emits) are the ones a replay arrives at.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from ..domain.outcome import Announcement
from ..domain.tiers import apply_due_reviews
from .ports import LedgerStore
from .projector import load_catalog


async def review_tiers(store: LedgerStore, partner_ids: Iterable[str], on: date, now: datetime) -> list[Announcement]:
    states = await store.load_partners(partner_ids)
    catalog = await load_catalog(store, {s.program_id for s in states.values() if s.program_id}, states)
    changed = []
    announcements: list[Announcement] = []
    for partner_id in sorted(states):
        reviewed, made = apply_due_reviews(states[partner_id], catalog, on, now)
        if reviewed != states[partner_id]:
            changed.append(reviewed)
        announcements.extend(made)
    await store.save_partners(changed)
    for announcement in announcements:
        store.announce(announcement)
    return announcements
