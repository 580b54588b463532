"""Joint partner plans: draft, extend, revise, sign, record held activities, read with progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from servicekit.idempotency import run_write
from servicekit.pagination import decode_int_cursor
from servicekit.problems import Problem
from servicekit.unit_of_work import UnitOfWork

from ..application import plans as cases
from ..application.ports import StreamFilter
from ..domain import plan as model
from ..domain.errors import RuleViolation
from .deps import Container, Reader, Writer, page_limit
from .schemas_plans import (
    CompleteBody,
    ContentIn,
    DraftPlanBody,
    ExtendPlanBody,
    PlanDetailOut,
    PlanOut,
    PlanPage,
    SignBody,
)

router = APIRouter(tags=["plans"])


@router.post("/plans", status_code=201, response_model=PlanOut)
async def draft_plan(body: DraftPlanBody, request: Request, principal: Writer, container: Container) -> JSONResponse:
    """Draft a partner's joint plan for a year (one per partner and year), as version 1."""
    principal.require_partner(body.partner_id)
    command = model.DraftPlan(
        body.plan_id, body.partner_id, body.year, body.content(), container.today(), principal.actor
    )

    async def action(uow: UnitOfWork) -> tuple[int, PlanOut]:
        return 201, PlanOut.of(await cases.draft_plan(container.unit(uow), command))

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.post("/plans/{plan_id}/extend", status_code=201, response_model=PlanOut)
async def extend_plan(
    plan_id: str, body: ExtendPlanBody, request: Request, principal: Writer, container: Container
) -> JSONResponse:
    """Carry a plan into the next year: same content, calendar a year later, a new draft to sign."""

    async def action(uow: UnitOfWork) -> tuple[int, PlanOut]:
        done = await cases.extend_plan(
            container.unit(uow),
            plan_id,
            body.plan_id,
            on=container.today(),
            by=principal.actor,
            partner_id=principal.partner_id,
        )
        return 201, PlanOut.of(done)

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.put("/plans/{plan_id}/content", response_model=PlanOut)
async def revise_plan(
    plan_id: str, body: ContentIn, request: Request, principal: Writer, container: Container
) -> JSONResponse:
    """Change the plan: a draft is amended, a version either side signed becomes a new version."""
    command = model.RevisePlan(plan_id, body.content(), container.today(), principal.actor)

    async def action(uow: UnitOfWork) -> tuple[int, PlanOut]:
        done = await cases.revise_plan(container.unit(uow), command, partner_id=principal.partner_id)
        return 200, PlanOut.of(done)

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.post("/plans/{plan_id}/signatures", response_model=PlanOut)
async def sign_plan(
    plan_id: str, body: SignBody, request: Request, principal: Writer, container: Container
) -> JSONResponse:
    """Sign the current version: a partner-bound token signs for the partner, staff for the vendor."""
    side = "partner" if principal.partner_id is not None else body.side or "vendor"
    if principal.partner_id is not None and body.side == "vendor":
        raise Problem(403, "Forbidden", "a partner signs for the partner side only")
    command = model.SignPlan(plan_id, body.plan_version, side, container.today(), principal.actor)

    async def action(uow: UnitOfWork) -> tuple[int, PlanOut]:
        done = await cases.sign_plan(container.unit(uow), command, partner_id=principal.partner_id)
        return 200, PlanOut.of(done)

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.post("/plans/{plan_id}/activities/{activity_id}/completion", response_model=PlanOut)
async def complete_activity(
    plan_id: str, activity_id: str, body: CompleteBody, request: Request, principal: Writer, container: Container
) -> JSONResponse:
    """Record that a joint activity was held (a second record changes nothing)."""
    if body.completed_on > container.today():
        raise RuleViolation.single("completed_on", "completed_on lies in the future")
    command = model.CompleteActivity(plan_id, activity_id, body.completed_on, f"manual:{principal.actor}")

    async def action(uow: UnitOfWork) -> tuple[int, PlanOut]:
        done = await cases.complete_activity(
            container.unit(uow), command, partner_id=principal.partner_id, as_of=container.today()
        )
        return 200, PlanOut.of(done)

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.get("/plans")
async def list_plans(
    principal: Reader,
    container: Container,
    partner_id: str | None = None,
    year: Annotated[int | None, Query(ge=1970, le=2999)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> PlanPage:
    """Plans, oldest first; a partner sees its own."""
    where = StreamFilter(principal.confine(partner_id), str(year) if year is not None else None)
    async with container.runtime.uow_factory() as uow:
        page = await cases.list_plans(
            container.unit(uow), where, after=decode_int_cursor(cursor), limit=page_limit(container, limit)
        )
    return PlanPage(items=[PlanOut.of(p) for p in page.items], next_cursor=page.next_cursor)


@router.get("/plans/{plan_id}")
async def get_plan(plan_id: str, principal: Reader, container: Container) -> PlanDetailOut:
    """The plan with its cadence (rituals held on time, late, missed, ahead) and criteria progress."""
    async with container.runtime.uow_factory() as uow:
        view = await cases.plan_view(container.unit(uow), plan_id, partner_id=principal.partner_id)
    return PlanDetailOut.detail(view)
