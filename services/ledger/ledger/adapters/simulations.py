"""What-if simulations: replay the consumed history in memory under a draft version (nothing is posted)
and compare each partner's earnings with what the live journal holds."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from servicekit.copy import driver_connection
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.builtin_program import builtin_version
from ..application.simulations import SimulationRequest
from ..domain.catalog import ProgramVersion, WhatIf
from ..domain.errors import NotFound
from ..domain.program_document import load_program, validate_program
from ..domain.simulation import EARNING_KINDS, PartnerDifference, Row, compare, earned
from ..domain.state import PartnerLedger
from .cohorts import load_cohorts
from .event_sources import incoming_of
from .memory import MemoryReplay
from .programs import published_versions
from .tables import journal_entries, postings, program_versions, simulations

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BATCH = 5000


def _bounds(request: SimulationRequest) -> tuple[datetime, datetime]:
    start = datetime.combine(request.start, time.min, tzinfo=UTC) if request.start else EPOCH
    end = (
        datetime.combine(request.end + timedelta(days=1), time.min, tzinfo=UTC)
        if request.end
        else datetime(9999, 1, 1, tzinfo=UTC)
    )
    return start, end


async def draft_version(conn: AsyncConnection, request: SimulationRequest) -> ProgramVersion:
    """The rules to try: a stored version (draft or published) or a YAML document (validated)."""
    effective_from = request.start or EPOCH.date()
    if request.document is not None:
        program = load_program(request.document, program_id=request.program_id)
        return ProgramVersion(request.program_id, 0, effective_from, EPOCH, program)
    row = (
        await conn.execute(
            select(program_versions).where(
                program_versions.c.program_id == request.program_id, program_versions.c.version == request.version
            )
        )
    ).first()
    if row is not None:
        program = validate_program(row.rules, program_id=request.program_id)
        return ProgramVersion(request.program_id, row.version, effective_from, EPOCH, program)
    builtin = builtin_version()
    if (request.program_id, request.version) == (builtin.program_id, builtin.version):
        return ProgramVersion(builtin.program_id, builtin.version, effective_from, EPOCH, builtin.program)
    raise NotFound(f"program {request.program_id} has no version {request.version}")


async def _replay(conn: AsyncConnection, request: SimulationRequest, what_if: WhatIf) -> MemoryReplay:
    ids = [r.program_id for r in await conn.execute(select(program_versions.c.program_id).distinct())]
    versions = await published_versions(conn, ids)
    pilots, changes = await load_cohorts(conn, None, None)
    memory = MemoryReplay(versions, what_if=what_if, pilots=pilots, cohort_changes=changes)
    driver = await driver_connection(conn)
    after = -1
    while True:
        rows = await driver.fetch(
            "SELECT consumed_seq, payload FROM consumed_events WHERE consumed_seq > $1 "
            "AND ($2::text IS NULL OR subject = $2) ORDER BY consumed_seq LIMIT $3",
            after,
            request.partner_id,
            BATCH,
        )
        if not rows:
            return memory
        after = rows[-1]["consumed_seq"]
        await memory.feed([incoming_of(r["payload"]) for r in rows])


async def _actual_rows(conn: AsyncConnection, request: SimulationRequest) -> list[Row]:
    start, end = _bounds(request)
    conditions = [
        journal_entries.c.kind.in_(sorted(EARNING_KINDS)),
        journal_entries.c.effective_at >= start,
        journal_entries.c.effective_at < end,
    ]
    if request.partner_id is not None:
        conditions.append(journal_entries.c.partner_id == request.partner_id)
    stmt = select(
        journal_entries.c.partner_id, journal_entries.c.kind, postings.c.account, postings.c.currency, postings.c.amount
    ).join(postings, and_(postings.c.entry_id == journal_entries.c.entry_id))
    return [
        (r.partner_id, r.kind, r.account, r.currency, r.amount) for r in await conn.execute(stmt.where(*conditions))
    ]


def _simulated_rows(memory: MemoryReplay, request: SimulationRequest) -> list[Row]:
    start, end = _bounds(request)
    return [
        (c.entry.partner_id, c.entry.kind, p.account, p.currency, p.amount)
        for c in memory.ledger.journal
        if start <= c.entry.effective_at < end
        for p in c.entry.postings
    ]


def _affected(memory: MemoryReplay, program_id: str) -> set[str]:
    partners: dict[str, PartnerLedger] = memory.ledger.partners
    return {p for p, state in partners.items() if state.program_id == program_id}


async def run_simulation(conn: AsyncConnection, request: SimulationRequest) -> dict[str, Any]:
    draft = await draft_version(conn, request)
    memory = await _replay(conn, request, WhatIf(draft, until=request.end))
    compared = compare(earned(await _actual_rows(conn, request)), earned(_simulated_rows(memory, request)))
    return {
        "program_id": request.program_id,
        "version": request.version,
        "from": request.start.isoformat() if request.start else None,
        "to": request.end.isoformat() if request.end else None,
        "partner_id": request.partner_id,
        "events_replayed": len(memory.seen),
        "partners_on_program": sorted(_affected(memory, request.program_id)),
        "partners": [_difference(d) for d in compared],
    }


def _difference(d: PartnerDifference) -> dict[str, Any]:
    def money(e: Any) -> dict[str, str]:
        return {name: format(getattr(e, name), "f") for name in ("rewards", "capped", "mdf_accrual")}

    return {
        "partner_id": d.partner_id,
        "currency": d.currency,
        "actual": money(d.actual),
        "simulated": money(d.simulated),
        "difference": money(d.difference),
    }


async def store_simulation(
    conn: AsyncConnection,
    request: dict[str, Any],
    result: dict[str, Any],
    partner_scope: str | None,
    by: str,
    created: datetime,
) -> dict[str, Any]:
    simulation_id = str(uuid.uuid4())
    await conn.execute(
        simulations.insert().values(
            simulation_id=simulation_id,
            partner_scope=partner_scope,
            request=request,
            result=result,
            created_at=created,
            created_by=by,
        )
    )
    return {"simulation_id": simulation_id, "created_at": created.isoformat(), "created_by": by, **result}


class SqlSimulations:
    """The simulation store of one unit of work."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def run(self, request: SimulationRequest) -> dict[str, Any]:
        return await run_simulation(self.conn, request)

    async def store(
        self, request: dict[str, Any], result: dict[str, Any], partner_scope: str | None, by: str, now: datetime
    ) -> dict[str, Any]:
        return await store_simulation(self.conn, request, result, partner_scope, by, now)
