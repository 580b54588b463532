"""Disputes: a partner opens and may escalate its own; staff review, resolve or reject them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from servicekit.idempotency import run_write
from servicekit.pagination import decode_int_cursor
from servicekit.unit_of_work import UnitOfWork

from ..application import disputes as cases
from ..application.ports import StreamFilter
from ..domain import dispute as model
from .deps import Container, Manager, ProgramOffice, Reader, Writer, page_limit
from .schemas import (
    DisputeOut,
    DisputePage,
    EscalationRunOut,
    OpenDisputeBody,
    ReasonBody,
    ResolutionTimesOut,
    ResolveBody,
)

router = APIRouter(tags=["disputes"])
Status = Annotated[list[str] | None, Query(description="open, in_review, resolved, rejected (repeatable)")]


@router.post("/disputes", status_code=201, response_model=DisputeOut)
async def open_dispute(
    body: OpenDisputeBody, request: Request, principal: Writer, container: Container
) -> JSONResponse:
    """Contest a statement line, a missing reward, a conflict decision or an MDF claim, with evidence."""
    principal.require_partner(body.partner_id)
    command = model.OpenDispute(
        body.dispute_id,
        body.partner_id,
        body.subject_kind,
        body.subject_ref,
        body.description,
        tuple(body.evidence),
        body.claimed_amount,
        container.today(),
        principal.actor,
    )

    async def action(uow: UnitOfWork) -> tuple[int, DisputeOut]:
        return 201, DisputeOut.of(await cases.open_dispute(container.unit(uow), command))

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.post("/disputes/{dispute_id}/review", response_model=DisputeOut)
async def review(dispute_id: str, request: Request, principal: Manager, container: Container) -> JSONResponse:
    async def action(uow: UnitOfWork) -> tuple[int, DisputeOut]:
        done = await cases.review_dispute(container.unit(uow), dispute_id, principal.actor, container.today())
        return 200, DisputeOut.of(done)

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.post("/disputes/{dispute_id}/escalate", response_model=DisputeOut)
async def escalate(dispute_id: str, request: Request, principal: Writer, container: Container) -> JSONResponse:
    """Ask for the next level (the partner, or staff)."""

    async def action(uow: UnitOfWork) -> tuple[int, DisputeOut]:
        done = await cases.escalate_dispute(
            container.unit(uow),
            dispute_id,
            principal.actor,
            container.today(),
            container.disputes,
            partner_id=principal.partner_id,
        )
        return 200, DisputeOut.of(done)

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.post("/disputes/{dispute_id}/resolve", response_model=DisputeOut)
async def resolve(
    dispute_id: str, body: ResolveBody, request: Request, principal: ProgramOffice, container: Container
) -> JSONResponse:
    """Decide in the partner's favour: the compensation goes to the ledger on governance.dispute_resolved."""
    command = model.Resolve(dispute_id, True, body.compensation, body.reason, container.today(), principal.actor)

    async def action(uow: UnitOfWork) -> tuple[int, DisputeOut]:
        return 200, DisputeOut.of(await cases.resolve_dispute(container.unit(uow), command))

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.post("/disputes/{dispute_id}/reject", response_model=DisputeOut)
async def reject(
    dispute_id: str, body: ReasonBody, request: Request, principal: ProgramOffice, container: Container
) -> JSONResponse:
    command = model.Resolve(dispute_id, False, None, body.reason, container.today(), principal.actor)

    async def action(uow: UnitOfWork) -> tuple[int, DisputeOut]:
        return 200, DisputeOut.of(await cases.resolve_dispute(container.unit(uow), command))

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.post("/disputes/escalations", response_model=EscalationRunOut)
async def escalate_overdue(request: Request, principal: Manager, container: Container) -> JSONResponse:
    """Escalate every dispute unanswered for the configured days (run daily; also `governance escalate`)."""
    as_of = container.today()

    async def action(uow: UnitOfWork) -> tuple[int, EscalationRunOut]:
        events = await cases.escalate_overdue(container.unit(uow), as_of, container.disputes)
        return 200, EscalationRunOut(as_of=as_of, escalated=[getattr(e, "dispute_id", "") for e in events])

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.get("/disputes")
async def list_disputes(
    principal: Reader,
    container: Container,
    partner_id: str | None = None,
    status: Status = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> DisputePage:
    """Disputes, oldest first; a partner sees its own."""
    where = StreamFilter(principal.confine(partner_id), None, tuple(status or ()))
    async with container.runtime.uow_factory() as uow:
        page = await cases.list_disputes(
            container.unit(uow), where, after=decode_int_cursor(cursor), limit=page_limit(container, limit)
        )
    return DisputePage(items=[DisputeOut.of(d) for d in page.items], next_cursor=page.next_cursor)


@router.get("/disputes/resolution-times")
async def resolution_times(
    principal: Reader, container: Container, partner_id: str | None = None
) -> ResolutionTimesOut:
    """Days from opening to resolution (mean, median, max) over decided disputes."""
    async with container.runtime.uow_factory() as uow:
        times = await cases.resolution_times(container.unit(uow), principal.confine(partner_id))
    return ResolutionTimesOut.of(times)


@router.get("/disputes/{dispute_id}")
async def get_dispute(dispute_id: str, principal: Reader, container: Container) -> DisputeOut:
    async with container.runtime.uow_factory() as uow:
        found = await cases.get_dispute(container.unit(uow), dispute_id, partner_id=principal.partner_id)
    return DisputeOut.of(found)
