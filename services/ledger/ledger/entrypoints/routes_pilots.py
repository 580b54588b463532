"""Pilots: a program variant for a tagged cohort while a control cohort stays on the base program.

Managers (``program:admin``) define pilots and record cohort changes (append-only, effective-dated);
ledger, finance and audit readers read the cohort-against-control report. Partners see neither:
both hold other partners' data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from incentive_contracts.dates import BusinessDate
from pydantic import BaseModel, Field, StrictBool, model_validator
from servicekit.auth import Principal, requires
from servicekit.idempotency import run_write
from servicekit.openapi import documented
from servicekit.unit_of_work import UnitOfWork

from ..adapters import pilot_queries
from ..adapters.cohorts import pilot_of
from ..domain.cohorts import CohortChange, Pilot, members_during
from ..domain.pilot_report import GroupMetrics
from .response_docs import CohortChangesOut, CohortMembersOut, PilotListOut, PilotOut, PilotReportOut

router = APIRouter(tags=["pilots"])
ADMIN = requires("program:admin")
READERS = requires("program:admin", "ledger:read", "finance:read", "audit:read")
TAG = r"^[a-z0-9][a-z0-9_.-]{0,63}$"


class PilotBody(BaseModel):
    pilot_id: str = Field(pattern=TAG)
    base_program_id: str = Field(min_length=1)
    variant_program_id: str = Field(min_length=1)
    cohort_tag: str = Field(pattern=TAG)
    control_tag: str = Field(pattern=TAG)
    starts_on: BusinessDate
    ends_on: BusinessDate | None = None
    description: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _sensible(self) -> PilotBody:
        if self.cohort_tag == self.control_tag:
            raise ValueError("the cohort and the control cohort need different tags")
        if self.base_program_id == self.variant_program_id:
            raise ValueError("the variant must be another program than the base")
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class ChangeIn(BaseModel):
    partner_id: str = Field(min_length=1, max_length=64)
    effective_on: BusinessDate
    member: StrictBool = True  # JSON true/false only: 0 or 1 is not a yes or no


class ChangesBody(BaseModel):
    changes: list[ChangeIn] = Field(min_length=1, max_length=5000)


def _pilot_out(p: Pilot, description: str | None = None) -> dict[str, Any]:
    return {
        "pilot_id": p.pilot_id,
        "base_program_id": p.base_program_id,
        "variant_program_id": p.variant_program_id,
        "cohort_tag": p.cohort_tag,
        "control_tag": p.control_tag,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "created_at": p.created_at,
        "description": description,
    }


def _change_out(c: CohortChange) -> dict[str, Any]:
    return {"partner_id": c.partner_id, "tag": c.tag, "effective_on": c.effective_on, "member": c.member,
            "recorded_at": c.recorded_at}  # fmt: skip


def _metrics_out(m: GroupMetrics) -> dict[str, Any]:
    return {
        "currency": m.currency,
        "partners": m.partners,
        "won_deals": m.won_deals,
        "lost_deals": m.lost_deals,
        "win_rate": None if m.win_rate is None else format(m.win_rate, "f"),
        "won_revenue": format(m.won_revenue, "f"),
        "reward_cost": format(m.reward_cost, "f"),
        "reward_cost_per_revenue": None if m.cost_ratio is None else format(m.cost_ratio, "f"),
    }


@router.post("/pilots", status_code=201, **documented(PilotOut, 201))
async def create_pilot(
    body: PilotBody, request: Request, principal: Annotated[Principal, Depends(ADMIN)]
) -> JSONResponse:
    """Define a pilot. It applies to events recorded from now on (a replay resolves the same rules)."""

    async def action(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
        pilot = Pilot(body.pilot_id, body.base_program_id, body.variant_program_id, body.cohort_tag, body.control_tag,
                      body.starts_on, body.ends_on, datetime.now(UTC))  # fmt: skip
        await pilot_queries.create_pilot(uow.conn, pilot, body.description, principal.subject)
        return 201, _pilot_out(pilot, body.description)

    return await run_write(request, principal, request.app.state.uow_factory, action)


@router.get("/pilots", **documented(PilotListOut))
async def list_pilots(request: Request, principal: Annotated[Principal, Depends(READERS)]) -> dict[str, Any]:
    async with request.app.state.engine.connect() as conn:
        rows = await pilot_queries.all_pilots(conn)
    return {"items": [_pilot_out(pilot_of(r), r.description) for r in rows]}


@router.get("/pilots/{pilot_id}", **documented(PilotOut))
async def get_pilot(
    pilot_id: str, request: Request, principal: Annotated[Principal, Depends(READERS)]
) -> dict[str, Any]:
    async with request.app.state.engine.connect() as conn:
        row = await pilot_queries.pilot(conn, pilot_id)
    return _pilot_out(pilot_of(row), row.description)


@router.post("/cohorts/{tag}/changes", status_code=201, **documented(CohortChangesOut, 201))
async def change_cohort(
    tag: str, body: ChangesBody, request: Request, principal: Annotated[Principal, Depends(ADMIN)]
) -> JSONResponse:
    """Partners join (``member: true``) or leave a cohort from a date; changes are appended, never edited."""

    async def action(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
        rows = [(c.partner_id, c.effective_on, c.member) for c in body.changes]
        recorded = await pilot_queries.record_changes(uow.conn, tag, rows, principal.subject)
        return 201, {"tag": tag, "changes": [_change_out(c) for c in recorded]}

    return await run_write(request, principal, request.app.state.uow_factory, action)


@router.get("/cohorts/{tag}/members", **documented(CohortMembersOut))
async def cohort_members(
    tag: str,
    request: Request,
    principal: Annotated[Principal, Depends(READERS)],
    on: Annotated[BusinessDate | None, Query(description="default today")] = None,
) -> dict[str, Any]:
    day = on or datetime.now(UTC).date()
    async with request.app.state.engine.connect() as conn:
        changes = await pilot_queries.tag_changes(conn, [tag])
    return {"tag": tag, "on": day, "members": sorted(members_during(changes, tag, day, day))}


@router.get("/pilots/{pilot_id}/report", **documented(PilotReportOut))
async def pilot_report(
    pilot_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(READERS)],
    period_from: Annotated[BusinessDate | None, Query(alias="from", description="default: the pilot's start")] = None,
    period_to: Annotated[
        BusinessDate | None, Query(alias="to", description="default: the pilot's end, or today")
    ] = None,
) -> dict[str, Any]:
    """The cohort against the control cohort over the window: won revenue, deals won and lost, win rate and
    reward cost, per currency."""
    async with request.app.state.engine.connect() as conn:
        row = await pilot_queries.pilot(conn, pilot_id)
        start = period_from or row.starts_on
        end = period_to or row.ends_on or datetime.now(UTC).date()
        cohort, cohort_metrics = await pilot_queries.group_report(conn, row.cohort_tag, start, end)
        control, control_metrics = await pilot_queries.group_report(conn, row.control_tag, start, end)
    return {
        "pilot": _pilot_out(pilot_of(row), row.description),
        "from": start,
        "to": end,
        "cohort": {"tag": row.cohort_tag, "partners": sorted(cohort),
                   "metrics": [_metrics_out(m) for m in cohort_metrics.values()]},
        "control": {"tag": row.control_tag, "partners": sorted(control),
                    "metrics": [_metrics_out(m) for m in control_metrics.values()]},
    }  # fmt: skip
