"""Pilots: a program variant for a tagged cohort of partners while a control cohort stays on the base.

Cohort membership is data: append-only changes (joins, leaves) with an effective date and the time
they were recorded. A pilot and a change count for an event only if they were recorded before the
event was (its envelope time); on the event's business date the latest change in effect decides.
Both inputs travel with the event, so a replay resolves the same program for every event, like
program versions themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Pilot:
    pilot_id: str
    base_program_id: str
    variant_program_id: str
    cohort_tag: str
    control_tag: str
    starts_on: date
    ends_on: date | None
    created_at: datetime

    def active_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


@dataclass(frozen=True)
class CohortChange:
    """From ``effective_on``, the partner is (``member``) or is no longer in the cohort ``tag``."""

    partner_id: str
    tag: str
    effective_on: date
    member: bool
    recorded_at: datetime
    seq: int = 0  # order of recording (ties on one date: the later change wins)


class Cohorts:
    """Pilots and cohort memberships, answering which pilot (if any) applies to a partner's event."""

    def __init__(self, pilots: Iterable[Pilot] = (), changes: Iterable[CohortChange] = ()) -> None:
        self._pilots: dict[str, list[Pilot]] = {}
        for pilot in sorted(pilots, key=lambda p: (p.created_at, p.pilot_id)):
            self._pilots.setdefault(pilot.base_program_id, []).append(pilot)
        self._changes: dict[tuple[str, str], list[CohortChange]] = {}
        for change in sorted(changes, key=lambda c: (c.effective_on, c.recorded_at, c.seq)):
            self._changes.setdefault((change.partner_id, change.tag), []).append(change)

    def member(self, partner_id: str, tag: str, on: date, known_at: datetime) -> bool:
        """In the cohort on ``on``, as recorded by ``known_at``."""
        state = False
        for change in self._changes.get((partner_id, tag), []):
            if change.effective_on > on:
                break
            if change.recorded_at <= known_at:
                state = change.member
        return state

    def pilot_for(self, partner_id: str, program_id: str | None, on: date, known_at: datetime) -> Pilot | None:
        """The earliest-created pilot of the partner's program whose cohort holds the partner on ``on``."""
        for pilot in self._pilots.get(program_id or "", []):
            if (
                pilot.created_at <= known_at
                and pilot.active_on(on)
                and self.member(partner_id, pilot.cohort_tag, on, known_at)
            ):
                return pilot
        return None

    def variant_ids(self) -> set[str]:
        return {p.variant_program_id for pilots in self._pilots.values() for p in pilots}


def members_during(changes: Iterable[CohortChange], tag: str, start: date, end: date) -> set[str]:
    """Partners in cohort ``tag`` on any day of [start, end], as recorded now."""
    by_partner: dict[str, list[CohortChange]] = {}
    for change in changes:
        if change.tag == tag:
            by_partner.setdefault(change.partner_id, []).append(change)
    members: set[str] = set()
    for partner_id, own in by_partner.items():
        ordered = sorted(own, key=lambda c: (c.effective_on, c.recorded_at, c.seq))
        at_start = False
        for change in ordered:
            if change.effective_on <= start:
                at_start = change.member
        joined = any(c.member and start <= c.effective_on <= end for c in ordered)
        if at_start or joined:
            members.add(partner_id)
    return members
