"""Program versions in PostgreSQL: drafts, publication, reads, and the parsed versions in force."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from servicekit.unit_of_work import UnitOfWork
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.program_announcement import announcement
from ..application.programs import StoredVersion
from ..domain.catalog import ProgramVersion
from ..domain.program import Program
from ..domain.program_document import validate_program
from .tables import program_versions

# Published versions never change, so their parsed rules are kept per process (keyed by content).
_parsed: dict[tuple[str, int, str], Program] = {}


def _parse(program_id: str, version: int, document: str, rules: dict[str, Any]) -> Program:
    key = (program_id, version, document)
    program = _parsed.get(key)
    if program is None:
        program = validate_program(rules, program_id=program_id)
        _parsed[key] = program
    return program


async def published_versions(conn: AsyncConnection, program_ids: Iterable[str]) -> list[ProgramVersion]:
    ids = sorted(set(program_ids))
    if not ids:
        return []
    stmt = select(program_versions).where(
        program_versions.c.program_id.in_(ids), program_versions.c.status == "published"
    )
    return [
        ProgramVersion(
            program_id=r.program_id,
            version=r.version,
            effective_from=r.effective_from,
            published_at=r.published_at,
            program=_parse(r.program_id, r.version, r.document, r.rules),
        )
        for r in (await conn.execute(stmt)).all()
    ]


def _stored(row: Any) -> StoredVersion:
    return StoredVersion(
        program_id=row.program_id,
        version=row.version,
        status=row.status,
        document=row.document,
        rules=row.rules,
        created_at=row.created_at,
        created_by=row.created_by,
        effective_from=row.effective_from,
        published_at=row.published_at,
        published_by=row.published_by,
        correction=row.correction,
        reason=row.reason,
    )


class SqlProgramVersions:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def next_version(self, program_id: str) -> int:
        # The advisory lock serialises concurrent drafts of one program (numbers stay gap-free).
        await self.conn.execute(select(func.pg_advisory_xact_lock(func.hashtext("program:" + program_id))))
        stmt = select(func.coalesce(func.max(program_versions.c.version), 0)).where(
            program_versions.c.program_id == program_id
        )
        return int((await self.conn.execute(stmt)).scalar_one()) + 1

    async def add_draft(self, draft: StoredVersion) -> None:
        await self.conn.execute(
            program_versions.insert().values(
                program_id=draft.program_id,
                version=draft.version,
                status="draft",
                document=draft.document,
                rules=draft.rules,
                created_at=draft.created_at,
                created_by=draft.created_by,
                correction=False,
            )
        )

    async def get(self, program_id: str, version: int, *, for_update: bool = False) -> StoredVersion | None:
        stmt = select(program_versions).where(
            program_versions.c.program_id == program_id, program_versions.c.version == version
        )
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return _stored(row) if row is not None else None

    async def list(self, program_id: str | None = None) -> list[StoredVersion]:
        stmt = select(program_versions).order_by(program_versions.c.program_id, program_versions.c.version)
        if program_id is not None:
            stmt = stmt.where(program_versions.c.program_id == program_id)
        return [_stored(r) for r in (await self.conn.execute(stmt)).all()]

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
    ) -> None:
        await self.conn.execute(
            update(program_versions)
            .where(program_versions.c.program_id == program_id, program_versions.c.version == version)
            .values(
                status="published",
                effective_from=effective_from,
                published_at=published_at,
                published_by=published_by,
                correction=correction,
                reason=reason,
            )
        )


class OutboxProgramAnnouncements:
    """Stages ``program.version_published`` in the unit of work's outbox (sent after the commit)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def version_published(self, version: StoredVersion) -> None:
        assert version.published_at is not None
        self.uow.publish(announcement(version), time=version.published_at)
