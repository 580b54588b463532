"""Pilots and cohort changes in PostgreSQL (append-only: a trigger refuses UPDATE and DELETE)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.cohorts import CohortChange, Pilot
from .tables import cohort_changes, pilots


def pilot_of(row: Any) -> Pilot:
    return Pilot(
        pilot_id=row.pilot_id,
        base_program_id=row.base_program_id,
        variant_program_id=row.variant_program_id,
        cohort_tag=row.cohort_tag,
        control_tag=row.control_tag,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        created_at=row.created_at,
    )


def change_of(row: Any) -> CohortChange:
    return CohortChange(
        partner_id=row.partner_id,
        tag=row.tag,
        effective_on=row.effective_on,
        member=row.member,
        recorded_at=row.recorded_at,
        seq=row.change_seq,
    )


async def load_cohorts(
    conn: AsyncConnection, program_ids: Sequence[str] | None, partner_ids: Sequence[str] | None
) -> tuple[list[Pilot], list[CohortChange]]:
    """Pilots of the programs and the partners' changes to those pilots' cohorts (``None``: all)."""
    stmt = select(pilots)
    if program_ids is not None:
        if not program_ids:
            return [], []
        stmt = stmt.where(pilots.c.base_program_id.in_(list(program_ids)))
    found = [pilot_of(r) for r in await conn.execute(stmt)]
    if not found or (partner_ids is not None and not partner_ids):
        return found, []
    tags = sorted({t for p in found for t in (p.cohort_tag, p.control_tag)})
    changes = select(cohort_changes).where(cohort_changes.c.tag.in_(tags))
    if partner_ids is not None:
        changes = changes.where(cohort_changes.c.partner_id.in_(list(partner_ids)))
    return found, [change_of(r) for r in await conn.execute(changes)]
