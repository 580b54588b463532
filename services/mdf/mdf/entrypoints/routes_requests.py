"""MDF requests: submit, approve, reject, cancel, report results, and read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from servicekit.auth import Principal, requires
from servicekit.idempotency import run_write
from servicekit.pagination import decode_int_cursor
from servicekit.unit_of_work import UnitOfWork

from ..application import queries
from ..application import requests as cases
from ..application import results as result_cases
from ..application.ports import RequestFilter
from ..domain import request as model
from ..domain.request import RequestStatus
from ..domain.results import ReportResults
from .deps import MANAGE, READ_OWN, WRITE_OWN, own_partner, policy, today, unit
from .schemas import (
    PERIOD_PATTERN,
    ApproveBody,
    CancelBody,
    ReasonBody,
    RequestDetailOut,
    RequestOut,
    RequestPage,
    ResultsBody,
    ResultsOut,
    SubmitRequestBody,
)

router = APIRouter(tags=["requests"])
Manager = Annotated[Principal, Depends(requires(*MANAGE))]
Writer = Annotated[Principal, Depends(requires(*WRITE_OWN, partner_bound="confine"))]
Reader = Annotated[Principal, Depends(requires(*READ_OWN, partner_bound="confine"))]


@router.post("/requests", status_code=201, response_model=RequestOut)
async def submit_request(body: SubmitRequestBody, request: Request, principal: Writer) -> JSONResponse:
    """Ask for pre-approval of a marketing activity (validated against funds, tier, share and period)."""
    principal.require_partner(body.partner_id)
    command = model.SubmitRequest(
        request_id=body.request_id,
        partner_id=body.partner_id,
        period=body.period,
        activity_type=body.activity_type,
        title=body.title,
        planned_cost=body.planned_cost,
        requested_amount=body.requested_amount,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        expected=body.expected_results,
        milestones=body.milestone_plans(),
        submitted_on=today(request),
        submitted_by=principal.actor,
    )

    async def action(uow: UnitOfWork) -> tuple[int, RequestOut]:
        done = await cases.submit_request(unit(request, uow), command, policy=policy(request))
        return 201, RequestOut.of(done)

    return await run_write(request, principal, request.app.state.uow_factory, action)


@router.post("/requests/{request_id}/approve", response_model=RequestOut)
async def approve_request(request_id: str, body: ApproveBody, request: Request, principal: Manager) -> JSONResponse:
    """Approve, possibly for less than asked: the amount is reserved (plan milestones are paid)."""
    command = model.ApproveRequest(request_id, body.amount, today(request), principal.subject)

    async def action(uow: UnitOfWork) -> tuple[int, RequestOut]:
        return 200, RequestOut.of(await cases.approve_request(unit(request, uow), command, policy=policy(request)))

    return await run_write(request, principal, request.app.state.uow_factory, action)


@router.post("/requests/{request_id}/reject", response_model=RequestOut)
async def reject_request(request_id: str, body: ReasonBody, request: Request, principal: Manager) -> JSONResponse:
    command = model.RejectRequest(request_id, body.reason, today(request), principal.subject)

    async def action(uow: UnitOfWork) -> tuple[int, RequestOut]:
        return 200, RequestOut.of(await cases.reject_request(unit(request, uow), command))

    return await run_write(request, principal, request.app.state.uow_factory, action)


@router.post("/requests/{request_id}/cancel", response_model=RequestOut)
async def cancel_request(request_id: str, body: CancelBody, request: Request, principal: Writer) -> JSONResponse:
    """Cancel a submitted or approved request; what it still reserves goes back to the fund."""
    command = model.CancelRequest(request_id, body.reason, today(request), principal.subject)

    async def action(uow: UnitOfWork) -> tuple[int, RequestOut]:
        done = await cases.cancel_request(unit(request, uow), command, partner_id=principal.partner_id)
        return 200, RequestOut.of(done)

    return await run_write(request, principal, request.app.state.uow_factory, action)


@router.post("/requests/{request_id}/results", status_code=201, response_model=ResultsOut)
async def report_results(request_id: str, body: ResultsBody, request: Request, principal: Writer) -> JSONResponse:
    """Report campaign results (stored and emitted as mdf.results_reported for ROI analysis)."""
    command = ReportResults(body.result_id, request_id, body.results, today(request))

    async def action(uow: UnitOfWork) -> tuple[int, ResultsOut]:
        event = await result_cases.report_results(
            unit(request, uow), command, by=principal.actor, partner_id=principal.partner_id
        )
        return 201, ResultsOut.of(event)

    return await run_write(request, principal, request.app.state.uow_factory, action)


@router.get("/requests")
async def list_requests(
    request: Request,
    principal: Reader,
    partner_id: str | None = None,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
    status: Annotated[list[RequestStatus] | None, Query()] = None,
    activity_type: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> RequestPage:
    """Requests, oldest first; filter by partner, period, status (repeatable) and activity type."""
    where = RequestFilter(own_partner(principal, partner_id), period, tuple(status or ()), activity_type)
    limit = min(limit, request.app.state.settings.max_page_size)
    async with request.app.state.uow_factory() as uow:
        page = await queries.list_requests(unit(request, uow), where, after=decode_int_cursor(cursor), limit=limit)
    return RequestPage(items=[RequestOut.of(r) for r in page.items], next_cursor=page.next_cursor)


@router.get("/requests/{request_id}")
async def get_request(request_id: str, request: Request, principal: Reader) -> RequestDetailOut:
    """One request with its disbursements and reported results."""
    async with request.app.state.uow_factory() as uow:
        found, history = await queries.request_detail(unit(request, uow), request_id, partner_id=principal.partner_id)
    return RequestDetailOut.detail(found, history)
