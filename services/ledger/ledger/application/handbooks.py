"""Which handbook a reader gets: the version in force on a date, or a named (announced) version."""

from __future__ import annotations

from datetime import date, datetime

from ..domain.errors import NotFound
from .handbook import Handbook, write_handbook
from .notices import NoticeBook, versions_with_builtin
from .programs import in_force


async def handbook(
    book: NoticeBook, program_id: str, *, on: date | None, version: int | None, now: datetime, notice_days: int
) -> Handbook:
    """The handbook of ``version`` if given, else of the version in force on ``on`` (default today)."""
    published = await book.published(program_id)
    today = now.date()
    if version is not None:
        pv = next((v for v in versions_with_builtin(program_id, published) if v.version == version), None)
        if pv is None:
            raise NotFound(f"program {program_id} has no published version {version}")
    else:
        day = on or today
        found = in_force(published, program_id, day, now)
        if found is None:
            raise NotFound(f"no version of program {program_id} is in force on {day}")
        pv = found
    current = in_force(published, program_id, today, now)
    if pv.effective_from > today:
        status = "announced"
    elif current is not None and current.version == pv.version:
        status = "in force"
    else:
        status = "superseded"
    return write_handbook(pv, status=status, notice_days=notice_days)
