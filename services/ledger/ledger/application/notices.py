"""Policy-change notices: the program versions announced but not yet in force, what each changes
for a partner, and who has acknowledged it.

The notice period itself is enforced where versions are published (:func:`.programs.publish`);
here a partner reads the announced versions of its own program and acknowledges them, and the
program office lists who has and who has not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from ..domain.catalog import ProgramVersion
from ..domain.errors import NotFound, RuleViolation
from ..domain.program_diff import Difference, differences
from .builtin_program import builtin_version
from .programs import in_force


@dataclass(frozen=True)
class Acknowledgement:
    partner_id: str
    program_id: str
    version: int
    acknowledged_by: str
    acknowledged_at: datetime


@dataclass(frozen=True)
class Notice:
    program_id: str
    version: int
    title: str
    effective_from: date
    published_at: datetime
    in_force_version: int | None  # the version it will replace (in force today)
    differences: tuple[Difference, ...]
    acknowledged: Acknowledgement | None = None  # the partner's, on a partner's list


@dataclass(frozen=True)
class NoticeStatus:
    notice: Notice
    acknowledged: tuple[Acknowledgement, ...]
    not_acknowledged: tuple[str, ...]  # partners of the program that have not acknowledged


class NoticeBook(Protocol):
    """What notices read and write (the ledger's partners, program versions and acknowledgements)."""

    async def published(self, program_id: str) -> list[ProgramVersion]: ...
    async def program_of(self, partner_id: str) -> str | None: ...
    async def partners_of(self, program_id: str) -> list[str]: ...
    async def acknowledgements(self, program_id: str, version: int) -> list[Acknowledgement]: ...
    async def acknowledgement(self, partner_id: str, program_id: str, version: int) -> Acknowledgement | None: ...
    async def add_acknowledgement(self, acknowledgement: Acknowledgement) -> None: ...


class NoticeAnnouncements(Protocol):
    def acknowledged(self, acknowledgement: Acknowledgement, effective_from: date) -> None: ...


async def announced(book: NoticeBook, program_id: str, now: datetime) -> list[Notice]:
    """The published versions of ``program_id`` that take effect after today, earliest first."""
    versions = await book.published(program_id)
    today = now.date()
    current = in_force(versions, program_id, today, now)
    notices = [
        Notice(
            program_id=pv.program_id,
            version=pv.version,
            title=pv.program.title,
            effective_from=pv.effective_from,
            published_at=pv.published_at,
            in_force_version=current.version if current else None,
            differences=tuple(differences(current.program if current else None, pv.program)),
        )
        for pv in versions
        if pv.effective_from > today
    ]
    return sorted(notices, key=lambda n: (n.effective_from, n.version))


async def partner_notices(book: NoticeBook, partner_id: str, now: datetime) -> list[Notice]:
    """The notices of the partner's program, each with the partner's acknowledgement if any."""
    program_id = await _program(book, partner_id)
    found = []
    for notice in await announced(book, program_id, now):
        ack = await book.acknowledgement(partner_id, program_id, notice.version)
        found.append(Notice(**{**notice.__dict__, "acknowledged": ack}))
    return found


async def acknowledge(
    book: NoticeBook,
    announce: NoticeAnnouncements,
    *,
    partner_id: str,
    program_id: str,
    version: int,
    by: str,
    now: datetime,
) -> Acknowledgement:
    """Record that the partner read the notice; acknowledging again returns the first acknowledgement."""
    if await _program(book, partner_id) != program_id:
        raise NotFound(f"partner {partner_id} is not in program {program_id}")
    notice = next((n for n in await announced(book, program_id, now) if n.version == version), None)
    if notice is None:
        raise RuleViolation(
            f"program {program_id} version {version} is not an announced notice (unknown, or already in force)"
        )
    existing = await book.acknowledgement(partner_id, program_id, version)
    if existing is not None:
        return existing
    ack = Acknowledgement(partner_id, program_id, version, by, now)
    await book.add_acknowledgement(ack)
    announce.acknowledged(ack, notice.effective_from)
    return ack


async def notice_status(book: NoticeBook, program_id: str, version: int, now: datetime) -> NoticeStatus:
    """Who of the program's partners has acknowledged the notice of ``version``, and who has not."""
    notice = next((n for n in await announced(book, program_id, now) if n.version == version), None)
    if notice is None:
        raise NotFound(f"program {program_id} has no announced version {version}")
    acks = await book.acknowledgements(program_id, version)
    done = {a.partner_id for a in acks}
    missing = tuple(p for p in await book.partners_of(program_id) if p not in done)
    return NoticeStatus(notice, tuple(sorted(acks, key=lambda a: a.partner_id)), missing)


async def _program(book: NoticeBook, partner_id: str) -> str:
    program_id = await book.program_of(partner_id)
    if program_id is None:
        raise NotFound(f"partner {partner_id} is not known to the ledger")
    return program_id


def versions_with_builtin(program_id: str, versions: list[ProgramVersion]) -> list[ProgramVersion]:
    builtin = builtin_version()
    return [builtin, *versions] if program_id == builtin.program_id else versions
