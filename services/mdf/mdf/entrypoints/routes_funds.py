"""Budgets, allocations, fund positions and the policy catalogue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from servicekit.auth import Principal, requires
from servicekit.idempotency import run_write
from servicekit.unit_of_work import UnitOfWork

from ..application import funds as cases
from ..application import queries
from ..domain.budget import Allocate, SetBudget
from .deps import MANAGE, READ_ALL, READ_OWN, policy, today, unit
from .schemas import (
    PERIOD_PATTERN,
    ActivityTypeOut,
    AllocateBody,
    AllocationOut,
    BudgetBody,
    BudgetOut,
    FundPeriodOut,
    MilestoneOut,
    PolicyOut,
    PositionOut,
)

router = APIRouter(tags=["funds"])
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN)]


@router.put("/budgets/{period}", response_model=BudgetOut)
async def set_budget(
    period: PeriodPath, body: BudgetBody, request: Request, principal: Annotated[Principal, Depends(requires(*MANAGE))]
) -> JSONResponse:
    """Set the program-level budget of a period in one currency (allocations must stay within it)."""

    async def action(uow: UnitOfWork) -> tuple[int, BudgetOut]:
        return 200, BudgetOut.of(await cases.set_budget(unit(request, uow), SetBudget(period, body.amount)))

    return await run_write(request, principal, request.app.state.uow_factory, action)


@router.get("/budgets/{period}")
async def get_budgets(
    period: PeriodPath, request: Request, principal: Annotated[Principal, Depends(requires(*READ_ALL))]
) -> list[BudgetOut]:
    async with request.app.state.uow_factory() as uow:
        return [BudgetOut.of(b) for b in await queries.budgets(unit(request, uow), period)]


@router.post("/allocations", status_code=201, response_model=PositionOut)
async def allocate(
    body: AllocateBody, request: Request, principal: Annotated[Principal, Depends(requires(*MANAGE))]
) -> JSONResponse:
    """Allocate funds to a partner for a period, within the program budget."""
    command = Allocate(body.allocation_id, body.partner_id, body.period, body.amount, today(request))

    async def action(uow: UnitOfWork) -> tuple[int, PositionOut]:
        return 201, PositionOut.of(await cases.allocate(unit(request, uow), command, by=principal.subject))

    return await run_write(request, principal, request.app.state.uow_factory, action)


@router.get("/partners/{partner_id}/allocations")
async def list_allocations(
    partner_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(requires(*READ_OWN, partner_bound="confine"))],
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
) -> list[AllocationOut]:
    principal.require_partner(partner_id)
    async with request.app.state.uow_factory() as uow:
        return [AllocationOut.of(a) for a in await queries.allocations(unit(request, uow), partner_id, period)]


@router.get("/partners/{partner_id}/funds")
async def list_funds(
    partner_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(requires(*READ_OWN, partner_bound="confine"))],
) -> list[FundPeriodOut]:
    """Every period's fund position of a partner."""
    principal.require_partner(partner_id)
    async with request.app.state.uow_factory() as uow:
        u = unit(request, uow)
        funds = await queries.fund_positions(u, partner_id)
        periods = sorted({f.period for f in funds})
        states = {p: await queries.period_state(u, p) for p in periods}
    return [
        FundPeriodOut(
            partner_id=partner_id,
            period=p,
            period_status=states[p].status.value,
            positions=[PositionOut.of(f) for f in funds if f.period == p],
        )
        for p in periods
    ]


@router.get("/partners/{partner_id}/funds/{period}")
async def get_fund(
    partner_id: str,
    period: PeriodPath,
    request: Request,
    principal: Annotated[Principal, Depends(requires(*READ_OWN, partner_bound="confine"))],
) -> FundPeriodOut:
    """A partner's fund position for one period, per currency."""
    principal.require_partner(partner_id)
    async with request.app.state.uow_factory() as uow:
        u = unit(request, uow)
        funds = await queries.fund_positions(u, partner_id, period)
        state = await queries.period_state(u, period)
    return FundPeriodOut(
        partner_id=partner_id,
        period=period,
        period_status=state.status.value,
        positions=[PositionOut.of(f) for f in funds],
    )


@router.get("/policy", tags=["policy"])
async def get_policy(
    request: Request, principal: Annotated[Principal, Depends(requires(*READ_OWN, partner_bound="confine"))]
) -> PolicyOut:
    """Activity types and who may request them, the share rule, the claim window, default milestones."""
    p = policy(request)
    return PolicyOut(
        activity_types=[
            ActivityTypeOut(activity_type=a, eligible_tiers=sorted(p.eligibility[a])) for a in p.activity_types
        ],
        min_partner_share=p.min_partner_share,
        claim_window_days=p.claim_window_days,
        default_tier=p.default_tier,
        default_milestones=[
            MilestoneOut(name=m.name, trigger=m.trigger, percent=m.percent) for m in p.default_milestones
        ],
    )
