"""The programs partners may be enrolled into: the built-in ones (settings) and the ledger's published ones."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from incentive_contracts.events.program import ProgramVersionPublished
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from .tables import known_programs

# The ledger's built-in program: code in the ledger, never announced by an event.
DEFAULT_BUILTIN_PROGRAMS = ("default",)


class SqlPrograms:
    def __init__(self, conn: AsyncConnection, builtin: Iterable[str] = DEFAULT_BUILTIN_PROGRAMS) -> None:
        self.conn = conn
        self.builtin = frozenset(builtin)

    async def known(self, program_id: str) -> bool:
        if program_id in self.builtin:
            return True
        found = await self.conn.execute(
            select(known_programs.c.program_id).where(known_programs.c.program_id == program_id)
        )
        return found.first() is not None

    async def record_published(self, published: Sequence[ProgramVersionPublished]) -> None:
        """One row per program, showing its latest published version (an older one arriving late changes nothing)."""
        for event in sorted(published, key=lambda e: e.program_version):
            values = {
                "program_id": event.program_id,
                "latest_version": event.program_version,
                "label": event.label,
                "effective_from": event.effective_from,
                "published_at": event.published_at,
            }
            stmt = insert(known_programs).values(**values)
            stmt = stmt.on_conflict_do_update(
                index_elements=["program_id"],
                set_={k: stmt.excluded[k] for k in values if k != "program_id"},
                where=known_programs.c.latest_version < stmt.excluded.latest_version,
            )
            await self.conn.execute(stmt)
