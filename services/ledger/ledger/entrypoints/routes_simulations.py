"""What-if simulations: a draft program version replayed over history without posting anything.

Running one is a write (its result is kept): managers, finance (``finance:write``) and partners
(``partner:write``, their own partner only) run them; readers, auditors included, read them. A
partner token sees only its own partner's simulations.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from incentive_contracts.dates import BusinessDate
from pydantic import BaseModel, Field, model_validator
from servicekit.auth import Principal, requires
from servicekit.idempotency import run_write
from servicekit.pagination import decode_int_cursor
from servicekit.problems import Problem
from servicekit.unit_of_work import UnitOfWork
from servicekit.viewer import shown_actor

from ..application import simulations as cases
from ..application.queries import StoredSimulation
from .deps import Ledger, Queries
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


@router.post("/simulations", status_code=201, response_model=SimulationOut)
async def simulate(
    body: SimulationBody, request: Request, principal: Annotated[Principal, Depends(RUNNERS)], ledger: Ledger
) -> JSONResponse:
    """Replay the history (or a date range) under a draft version and report, per partner and currency, the
    rewards, capped amounts and MDF accrual it would have produced against what was actually posted."""
    partner_id = principal.confine(body.partner_id)
    ask = cases.SimulationRequest(
        body.program_id, body.document, body.version, body.period_from, body.period_to, partner_id
    )
    as_asked = body.model_dump(mode="json", by_alias=True)

    async def action(uow: UnitOfWork) -> tuple[int, SimulationOut]:
        store = ledger.unit(uow).simulations
        stored = await cases.simulate(store, ask, as_asked=as_asked, by=principal.actor, now=ledger.clock.now())
        return 201, SimulationOut.as_stored(stored)

    return await run_write(request, principal, ledger.uow_factory, action)


def _out(s: StoredSimulation) -> SimulationOut:
    shown = {  # created_by: a role, not a staff name, for partner callers
        "simulation_id": s.simulation_id,
        "created_at": s.created_at.isoformat(),
        "created_by": shown_actor(s.created_by),
    }
    return SimulationOut.as_stored({**shown, **s.result})


@router.get("/simulations")
async def list_simulations(
    principal: Annotated[Principal, Depends(READERS)],
    reads: Queries,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SimulationPageOut:
    """Simulations run so far, newest first (a partner token sees only its own)."""
    page = await reads.simulations(partner_scope=principal.partner_id, after=decode_int_cursor(cursor), limit=limit)
    return SimulationPageOut(items=[_out(s) for s in page.items], next_cursor=page.next_cursor)


@router.get("/simulations/{simulation_id}")
async def get_simulation(
    simulation_id: str, principal: Annotated[Principal, Depends(READERS)], reads: Queries
) -> SimulationOut:
    found = await reads.simulation(simulation_id, partner_scope=principal.partner_id)
    if found is None:
        raise Problem(404, "Not found", f"simulation {simulation_id} not found")
    return _out(found)
