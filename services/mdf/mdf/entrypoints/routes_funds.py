"""Budgets, allocations, fund positions and the policy catalogue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from servicekit.auth import Principal, requires

from ..application import funds as cases
from ..application import queries
from ..application.ports import MdfUnit
from ..domain.budget import Allocate, SetBudget
from .deps import MANAGE, READ_ALL, READ_OWN, Container, read, write
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
    period: PeriodPath,
    body: BudgetBody,
    request: Request,
    principal: Annotated[Principal, Depends(requires(*MANAGE))],
    container: Container,
) -> JSONResponse:
    """Set the program-level budget of a period in one currency (allocations must stay within it)."""

    async def action(unit: MdfUnit) -> tuple[int, BudgetOut]:
        return 200, BudgetOut.of(await cases.set_budget(unit, SetBudget(period, body.amount)))

    return await write(request, principal, container, action)


@router.get("/budgets/{period}")
async def get_budgets(
    period: PeriodPath, principal: Annotated[Principal, Depends(requires(*READ_ALL))], container: Container
) -> list[BudgetOut]:
    return [BudgetOut.of(b) for b in await read(container, lambda unit: queries.budgets(unit, period))]


@router.post("/allocations", status_code=201, response_model=PositionOut)
async def allocate(
    body: AllocateBody,
    request: Request,
    principal: Annotated[Principal, Depends(requires(*MANAGE))],
    container: Container,
) -> JSONResponse:
    """Allocate funds to a partner for a period, within the program budget."""
    command = Allocate(body.allocation_id, body.partner_id, body.period, body.amount, container.today())

    async def action(unit: MdfUnit) -> tuple[int, PositionOut]:
        return 201, PositionOut.of(await cases.allocate(unit, command, by=principal.subject))

    return await write(request, principal, container, action)


@router.get("/partners/{partner_id}/allocations")
async def list_allocations(
    partner_id: str,
    principal: Annotated[Principal, Depends(requires(*READ_OWN, partner_bound="confine"))],
    container: Container,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
) -> list[AllocationOut]:
    principal.require_partner(partner_id)
    allocations = await read(container, lambda unit: queries.allocations(unit, partner_id, period))
    return [AllocationOut.of(a) for a in allocations]


@router.get("/partners/{partner_id}/funds")
async def list_funds(
    partner_id: str,
    principal: Annotated[Principal, Depends(requires(*READ_OWN, partner_bound="confine"))],
    container: Container,
) -> list[FundPeriodOut]:
    """Every period's fund position of a partner."""
    principal.require_partner(partner_id)
    found = await read(container, lambda unit: queries.fund_periods(unit, partner_id))
    return [_fund_period_out(partner_id, f) for f in found]


@router.get("/partners/{partner_id}/funds/{period}")
async def get_fund(
    partner_id: str,
    period: PeriodPath,
    principal: Annotated[Principal, Depends(requires(*READ_OWN, partner_bound="confine"))],
    container: Container,
) -> FundPeriodOut:
    """A partner's fund position for one period, per currency."""
    principal.require_partner(partner_id)
    return _fund_period_out(
        partner_id, await read(container, lambda unit: queries.fund_period(unit, partner_id, period))
    )


def _fund_period_out(partner_id: str, found: queries.FundPeriod) -> FundPeriodOut:
    return FundPeriodOut(
        partner_id=partner_id,
        period=found.state.period,
        period_status=found.state.status.value,
        positions=[PositionOut.of(f) for f in found.funds],
    )


@router.get("/policy", tags=["policy"])
async def get_policy(
    principal: Annotated[Principal, Depends(requires(*READ_OWN, partner_bound="confine"))], container: Container
) -> PolicyOut:
    """Activity types and who may request them, the share rule, the claim window, default milestones."""
    p = container.policy
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
