"""What-if simulations: a draft program version replayed over history without posting anything.

Running one is a write (its result is kept): managers, finance (``finance:write``) and partners
(``partner:write``, their own partner only) run them; readers, auditors included, read them. A
partner token sees only its own partner's simulations.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from incentive_contracts.dates import BusinessDate
from pydantic import BaseModel, Field, model_validator
from servicekit.auth import Principal, requires
from servicekit.idempotency import run_write
from servicekit.openapi import documented
from servicekit.pagination import decode_int_cursor, encode_cursor
from servicekit.problems import Problem
from servicekit.unit_of_work import UnitOfWork
from servicekit.viewer import shown_actor
from sqlalchemy import select, true

from ..adapters.simulations import SimulationRequest, run_simulation, store_simulation
from ..adapters.tables import simulations
from .response_docs import SimulationOut, SimulationPageOut

router = APIRouter(tags=["simulations"])
RUNNERS = requires("program:admin", "finance:write", "partner:write", partner_bound="confine")
READERS = requires(
    "program:admin", "finance:read", "ledger:read", "audit:read", "partner:read", partner_bound="confine"
)


class SimulationBody(BaseModel):
    program_id: str = Field(min_length=1)
    document: str | None = Field(default=None, description="the draft's YAML (or name a stored version)")
    version: int | None = Field(default=None, description="a stored version of the program (usually a draft)")
    period_from: BusinessDate | None = Field(default=None, alias="from")
    period_to: BusinessDate | None = Field(default=None, alias="to")
    partner_id: str | None = None

    @model_validator(mode="after")
    def _one_draft(self) -> SimulationBody:
        if (self.document is None) == (self.version is None):
            raise ValueError("give the draft as 'document' (YAML) or as 'version' (a stored version), one of them")
        if self.period_from and self.period_to and self.period_to < self.period_from:
            raise ValueError("'to' is before 'from'")
        return self


@router.post("/simulations", status_code=201, **documented(SimulationOut, 201))
async def simulate(
    body: SimulationBody, request: Request, principal: Annotated[Principal, Depends(RUNNERS)]
) -> JSONResponse:
    """Replay the history (or a date range) under a draft version and report, per partner and currency, the
    rewards, capped amounts and MDF accrual it would have produced against what was actually posted."""
    partner_id = principal.confine(body.partner_id)

    async def action(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
        ask = SimulationRequest(
            body.program_id, body.document, body.version, body.period_from, body.period_to, partner_id
        )
        result = await run_simulation(uow.conn, ask)
        stored = await store_simulation(
            uow.conn, body.model_dump(mode="json", by_alias=True), result, partner_id, principal.actor
        )
        return 201, stored

    return await run_write(request, principal, request.app.state.uow_factory, action)


def _visible(principal: Principal) -> Any:
    """A partner token sees the simulations of its own partner only (not those of every partner)."""
    if principal.partner_id is None:
        return true()
    return simulations.c.partner_scope == principal.partner_id


def _out(row: Any) -> dict[str, Any]:
    return {
        "simulation_id": row.simulation_id,
        "created_at": row.created_at,
        "created_by": shown_actor(row.created_by),  # a role, not a staff name, for partner callers
        **row.result,
    }


@router.get("/simulations", **documented(SimulationPageOut))
async def list_simulations(
    request: Request,
    principal: Annotated[Principal, Depends(READERS)],
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Simulations run so far, newest first (a partner token sees only its own)."""
    stmt = select(simulations).where(_visible(principal)).order_by(simulations.c.simulation_seq.desc()).limit(limit + 1)
    after = decode_int_cursor(cursor)
    if after is not None:
        stmt = stmt.where(simulations.c.simulation_seq < after)
    async with request.app.state.engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    page = rows[:limit]
    return {
        "items": [_out(r) for r in page],
        "next_cursor": encode_cursor(page[-1].simulation_seq) if len(rows) > limit else None,
    }


@router.get("/simulations/{simulation_id}", **documented(SimulationOut))
async def get_simulation(
    simulation_id: str, request: Request, principal: Annotated[Principal, Depends(READERS)]
) -> dict[str, Any]:
    stmt = select(simulations).where(simulations.c.simulation_id == simulation_id, _visible(principal))
    async with request.app.state.engine.connect() as conn:
        row = (await conn.execute(stmt)).first()
    if row is None:
        raise Problem(404, "Not found", f"simulation {simulation_id} not found")
    return _out(row)
