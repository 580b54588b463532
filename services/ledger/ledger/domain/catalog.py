"""Which program version is in force for an event.

A version applies to an event when it was published before the event was recorded (the envelope
time) and its ``effective_from`` is on or before the event's business date; among those the latest
``effective_from`` wins, then the highest version. Both inputs travel with the event, so replaying
the same events picks the same versions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from .cohorts import Cohorts
from .program import Program


@dataclass(frozen=True)
class ProgramVersion:
    program_id: str
    version: int
    effective_from: date
    published_at: datetime
    program: Program

    @property
    def label(self) -> str:
        return f"{self.program_id} v{self.version}"


@dataclass(frozen=True)
class WhatIf:
    """A draft version applied as if in force from its ``effective_from`` to ``until`` (simulations)."""

    version: ProgramVersion
    until: date | None = None

    def covers(self, program_id: str | None, on: date) -> bool:
        return (
            program_id == self.version.program_id
            and self.version.effective_from <= on
            and (self.until is None or on <= self.until)
        )


class Catalog:
    def __init__(
        self, versions: Iterable[ProgramVersion] = (), cohorts: Cohorts | None = None, what_if: WhatIf | None = None
    ) -> None:
        self._by_program: dict[str, list[ProgramVersion]] = {}
        for v in versions:
            self._by_program.setdefault(v.program_id, []).append(v)
        for items in self._by_program.values():
            items.sort(key=lambda v: (v.effective_from, v.version), reverse=True)
        self.cohorts = cohorts or Cohorts()
        self.what_if = what_if

    def in_force(self, program_id: str | None, on: date, known_at: datetime) -> ProgramVersion | None:
        if self.what_if is not None and self.what_if.covers(program_id, on):
            return self.what_if.version
        for candidate in self._by_program.get(program_id or "", []):
            if candidate.effective_from <= on and candidate.published_at <= known_at:
                return candidate
        return None

    def for_partner(
        self, partner_id: str, program_id: str | None, on: date, known_at: datetime
    ) -> ProgramVersion | None:
        """The version that applies to this partner's event: its pilot variant's when the partner is in a
        pilot's cohort on ``on`` and the variant has a version in force, else its own program's."""
        pilot = self.cohorts.pilot_for(partner_id, program_id, on, known_at)
        if pilot is not None:
            variant = self.in_force(pilot.variant_program_id, on, known_at)
            if variant is not None:
                return variant
        return self.in_force(program_id, on, known_at)

    def program_ids(self) -> set[str]:
        return set(self._by_program)
