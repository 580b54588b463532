"""Program versions as the ledger announced them, one row per (program, version), kept as announced."""

from __future__ import annotations

from incentive_contracts.events.program import ProgramVersionPublished
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from .tables import program_versions


class SqlProgramVersions:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, published: ProgramVersionPublished) -> None:
        """A published version never changes, so a repeated announcement is a no-op."""
        row = {
            "program_id": published.program_id,
            "version": published.program_version,
            "effective_from": published.effective_from,
            "announcement": published.model_dump(mode="json"),
        }
        await self.conn.execute(insert(program_versions).values(row).on_conflict_do_nothing())

    async def of_program(self, program_id: str) -> list[ProgramVersionPublished]:
        stmt = (
            select(program_versions.c.announcement)
            .where(program_versions.c.program_id == program_id)
            .order_by(program_versions.c.version)
        )
        return [ProgramVersionPublished.model_validate(r.announcement) for r in await self.conn.execute(stmt)]
