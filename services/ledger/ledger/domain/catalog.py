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


class Catalog:
    def __init__(self, versions: Iterable[ProgramVersion] = ()) -> None:
        self._by_program: dict[str, list[ProgramVersion]] = {}
        for v in versions:
            self._by_program.setdefault(v.program_id, []).append(v)
        for items in self._by_program.values():
            items.sort(key=lambda v: (v.effective_from, v.version), reverse=True)

    def in_force(self, program_id: str | None, on: date, known_at: datetime) -> ProgramVersion | None:
        for candidate in self._by_program.get(program_id or "", []):
            if candidate.effective_from <= on and candidate.published_at <= known_at:
                return candidate
        return None

    def program_ids(self) -> set[str]:
        return set(self._by_program)
