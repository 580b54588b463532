"""Pilots: a program variant for a tagged cohort while a control cohort stays on the base program.

Managers (``program:admin``) define pilots and record cohort changes (append-only, effective-dated);
ledger, finance and audit readers read the cohort-against-control report. Partners see neither:
both hold other partners' data.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from incentive_contracts.dates import BusinessDate
from pydantic import BaseModel, Field, StrictBool, model_validator
from servicekit.auth import Principal, requires
from servicekit.idempotency import run_write
from servicekit.unit_of_work import UnitOfWork

from ..application import pilots as cases
from ..application.queries import GroupReport, PilotView
from ..domain.cohorts import CohortChange, Pilot
from ..domain.pilot_report import GroupMetrics
from .deps import Ledger, Queries
from .response_docs import (
    CohortChangeOut,
    CohortChangesOut,
    CohortMembersOut,
    GroupMetricsOut,
    GroupReportOut,
    PilotListOut,
    PilotOut,
    PilotReportOut,
    decimal_text,
)

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


def _pilot_out(p: Pilot, description: str | None = None) -> PilotOut:
    return PilotOut(
        pilot_id=p.pilot_id,
        base_program_id=p.base_program_id,
        variant_program_id=p.variant_program_id,
        cohort_tag=p.cohort_tag,
        control_tag=p.control_tag,
        starts_on=p.starts_on,
        ends_on=p.ends_on,
        created_at=p.created_at,
        description=description,
    )


def _view_out(v: PilotView) -> PilotOut:
    return _pilot_out(v.pilot, v.description)


def _change_out(c: CohortChange) -> CohortChangeOut:
    return CohortChangeOut(partner_id=c.partner_id, tag=c.tag, effective_on=c.effective_on, member=c.member,
                           recorded_at=c.recorded_at)  # fmt: skip


def _metrics_out(m: GroupMetrics) -> GroupMetricsOut:
    return GroupMetricsOut(
        currency=m.currency,
        partners=m.partners,
        won_deals=m.won_deals,
        lost_deals=m.lost_deals,
        win_rate=decimal_text(m.win_rate),
        won_revenue=format(m.won_revenue, "f"),
        reward_cost=format(m.reward_cost, "f"),
        reward_cost_per_revenue=decimal_text(m.cost_ratio),
    )


def _group_out(g: GroupReport) -> GroupReportOut:
    return GroupReportOut(tag=g.tag, partners=g.partners, metrics=[_metrics_out(m) for m in g.metrics])


@router.post("/pilots", status_code=201, response_model=PilotOut)
async def create_pilot(
    body: PilotBody, request: Request, principal: Annotated[Principal, Depends(ADMIN)], ledger: Ledger
) -> JSONResponse:
    """Define a pilot. It applies to events recorded from now on (a replay resolves the same rules)."""

    async def action(uow: UnitOfWork) -> tuple[int, PilotOut]:
        pilot = Pilot(body.pilot_id, body.base_program_id, body.variant_program_id, body.cohort_tag,
                      body.control_tag, body.starts_on, body.ends_on, ledger.clock.now())  # fmt: skip
        created = await cases.create_pilot(
            ledger.unit(uow).pilots, pilot, description=body.description, by=principal.subject
        )
        return 201, _pilot_out(created, body.description)

    return await run_write(request, principal, ledger.uow_factory, action)


@router.get("/pilots")
async def list_pilots(principal: Annotated[Principal, Depends(READERS)], reads: Queries) -> PilotListOut:
    return PilotListOut(items=[_view_out(v) for v in await reads.pilots()])


@router.get("/pilots/{pilot_id}")
async def get_pilot(pilot_id: str, principal: Annotated[Principal, Depends(READERS)], reads: Queries) -> PilotOut:
    return _view_out(await reads.pilot(pilot_id))


@router.post("/cohorts/{tag}/changes", status_code=201, response_model=CohortChangesOut)
async def change_cohort(
    tag: str, body: ChangesBody, request: Request, principal: Annotated[Principal, Depends(ADMIN)], ledger: Ledger
) -> JSONResponse:
    """Partners join (``member: true``) or leave a cohort from a date; changes are appended, never edited."""
    changes = [cases.CohortChangeRequest(c.partner_id, c.effective_on, c.member) for c in body.changes]

    async def action(uow: UnitOfWork) -> tuple[int, CohortChangesOut]:
        pilots = ledger.unit(uow).pilots
        recorded = await cases.change_cohort(pilots, tag, changes, by=principal.subject, now=ledger.clock.now())
        return 201, CohortChangesOut(tag=tag, changes=[_change_out(c) for c in recorded])

    return await run_write(request, principal, ledger.uow_factory, action)


@router.get("/cohorts/{tag}/members")
async def cohort_members(
    tag: str,
    principal: Annotated[Principal, Depends(READERS)],
    ledger: Ledger,
    on: Annotated[BusinessDate | None, Query(description="default today")] = None,
) -> CohortMembersOut:
    day = on or ledger.today()
    return CohortMembersOut(tag=tag, on=day, members=await ledger.queries.cohort_members(tag, day))


@router.get("/pilots/{pilot_id}/report")
async def pilot_report(
    pilot_id: str,
    principal: Annotated[Principal, Depends(READERS)],
    ledger: Ledger,
    period_from: Annotated[BusinessDate | None, Query(alias="from", description="default: the pilot's start")] = None,
    period_to: Annotated[
        BusinessDate | None, Query(alias="to", description="default: the pilot's end, or today")
    ] = None,
) -> PilotReportOut:
    """The cohort against the control cohort over the window: won revenue, deals won and lost, win rate and
    reward cost, per currency."""
    report = await ledger.queries.pilot_report(pilot_id, period_from, period_to, ledger.today())
    return PilotReportOut(
        pilot=_view_out(report.pilot),
        period_from=report.period_from,
        period_to=report.period_to,
        cohort=_group_out(report.cohort),
        control=_group_out(report.control),
    )
