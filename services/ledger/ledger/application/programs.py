"""Program versions: create a draft, publish it with notice (or as a correction), read any version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from ..domain.catalog import Catalog, ProgramVersion
from ..domain.errors import AlreadyPublished, NotFound, RuleViolation
from ..domain.program_document import load_program, program_as_data
from .builtin_program import (
    BUILTIN_EFFECTIVE_FROM,
    BUILTIN_PUBLISHED_AT,
    BUILTIN_VERSION,
    DEFAULT_PROGRAM_ID,
    builtin_document,
    builtin_version,
)


@dataclass(frozen=True)
class StoredVersion:
    program_id: str
    version: int
    status: str  # draft | published
    document: str  # the YAML as submitted
    rules: dict[str, Any]  # the validated rules (decimal strings)
    created_at: datetime
    created_by: str
    effective_from: date | None = None
    published_at: datetime | None = None
    published_by: str | None = None
    correction: bool = False
    reason: str | None = None


class ProgramVersionReader(Protocol):
    async def get(self, program_id: str, version: int, *, for_update: bool = False) -> StoredVersion | None: ...
    async def list(self, program_id: str | None = None) -> list[StoredVersion]: ...


class ProgramVersions(ProgramVersionReader, Protocol):
    async def next_version(self, program_id: str) -> int: ...
    async def add_draft(self, draft: StoredVersion) -> None: ...
    async def publish(
        self,
        program_id: str,
        version: int,
        *,
        effective_from: date,
        published_at: datetime,
        published_by: str,
        correction: bool,
        reason: str | None,
    ) -> None: ...


class ProgramAnnouncements(Protocol):
    """Tells the other services about the catalogue (``program.version_published`` on the ledger topic)."""

    def version_published(self, version: StoredVersion) -> None: ...


def builtin_stored() -> StoredVersion:
    return StoredVersion(
        program_id=DEFAULT_PROGRAM_ID,
        version=BUILTIN_VERSION,
        status="published",
        document=builtin_document(),
        rules=program_as_data(builtin_version().program),
        created_at=BUILTIN_PUBLISHED_AT,
        created_by="built-in",
        effective_from=BUILTIN_EFFECTIVE_FROM,
        published_at=BUILTIN_PUBLISHED_AT,
        published_by="built-in",
    )


async def create_draft(
    repo: ProgramVersions, program_id: str, document: str, *, by: str, now: datetime
) -> StoredVersion:
    program = load_program(document, program_id=program_id)
    draft = StoredVersion(
        program_id=program_id,
        version=await repo.next_version(program_id),
        status="draft",
        document=document,
        rules=program_as_data(program),
        created_at=now,
        created_by=by,
    )
    await repo.add_draft(draft)
    return draft


async def publish(
    repo: ProgramVersions,
    program_id: str,
    version: int,
    *,
    effective_from: date,
    correction: bool,
    reason: str | None,
    by: str,
    now: datetime,
    notice_days: int,
    announce: ProgramAnnouncements,
) -> StoredVersion:
    """Publish a draft and announce it (in the same transaction, through the outbox).

    The built-in ``default`` is code, not a published row, and is never announced: registration
    knows it from its own setting.
    """
    current = await repo.get(program_id, version, for_update=True)
    if current is None:
        raise NotFound(f"program {program_id} has no version {version}")
    if current.status == "published":
        raise AlreadyPublished(f"program {program_id} version {version} is already published and cannot change")
    if correction:
        if not reason or not reason.strip():
            raise RuleViolation("a correction needs a reason: say what it corrects and why it cannot wait for notice")
    else:
        earliest = now.date() + timedelta(days=notice_days)
        if effective_from < earliest:
            raise RuleViolation(
                f"effective_from {effective_from} is inside the {notice_days}-day notice period; the earliest date is "
                f"{earliest} (or publish it as a correction with a reason)"
            )
    await repo.publish(
        program_id,
        version,
        effective_from=effective_from,
        published_at=now,
        published_by=by,
        correction=correction,
        reason=reason.strip() if reason else None,
    )
    published = await repo.get(program_id, version)
    assert published is not None
    announce.version_published(published)
    return published


async def announce_published(repo: ProgramVersions, announce: ProgramAnnouncements) -> list[StoredVersion]:
    """Announce every published version again (after an upgrade, or for a consumer that starts from
    nothing): readers keep the latest version per program, so a repeat changes nothing."""
    published = [v for v in await repo.list() if v.status == "published"]
    for version in published:
        announce.version_published(version)
    return published


async def get_version(repo: ProgramVersionReader, program_id: str, version: int) -> StoredVersion:
    if program_id == DEFAULT_PROGRAM_ID and version == BUILTIN_VERSION:
        return builtin_stored()
    found = await repo.get(program_id, version)
    if found is None:
        raise NotFound(f"program {program_id} has no version {version}")
    return found


async def list_versions(repo: ProgramVersionReader, program_id: str | None = None) -> list[StoredVersion]:
    found = await repo.list(program_id)
    if program_id in (None, DEFAULT_PROGRAM_ID):
        found = [builtin_stored(), *found]
    if program_id is not None and not found:
        raise NotFound(f"program {program_id} has no versions")
    return found


def in_force(versions: list[ProgramVersion], program_id: str, on: date, now: datetime) -> ProgramVersion | None:
    return Catalog([builtin_version(), *versions]).in_force(program_id, on, now)
