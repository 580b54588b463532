"""Pilots and cohorts: define a pilot (never changed afterwards) and append cohort changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from ..domain.cohorts import CohortChange, Pilot


@dataclass(frozen=True)
class CohortChangeRequest:
    partner_id: str
    effective_on: date
    member: bool


class PilotStore(Protocol):
    async def create(self, pilot: Pilot, description: str | None, by: str) -> Pilot:
        """Raises Conflict when the pilot exists."""
        ...

    async def record_changes(
        self, tag: str, rows: Sequence[tuple[str, date, bool]], by: str, now: datetime
    ) -> list[CohortChange]: ...


async def create_pilot(store: PilotStore, pilot: Pilot, *, description: str | None, by: str) -> Pilot:
    """Define a pilot: it applies to events recorded from its ``created_at`` on (a replay resolves the same
    rules). A pilot is never changed afterwards (Conflict when it exists)."""
    return await store.create(pilot, description, by)


async def change_cohort(
    store: PilotStore, tag: str, changes: Sequence[CohortChangeRequest], *, by: str, now: datetime
) -> list[CohortChange]:
    """Partners join or leave a cohort from a date; changes are appended, never edited."""
    return await store.record_changes(tag, [(c.partner_id, c.effective_on, c.member) for c in changes], by, now)
