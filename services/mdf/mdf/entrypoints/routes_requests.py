"""MDF requests: submit, approve, reject, cancel, report results, and read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from servicekit.auth import Principal, requires
from servicekit.pagination import decode_int_cursor

from ..application import queries
from ..application import requests as cases
from ..application import results as result_cases
from ..application.ports import MdfUnit, RequestFilter
from ..domain import request as model
from ..domain.request import RequestStatus
from ..domain.results import ReportResults
from .deps import MANAGE, READ_OWN, WRITE_OWN, Container, own_partner, page_limit, read, write
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
async def submit_request(
    body: SubmitRequestBody, request: Request, principal: Writer, container: Container
) -> JSONResponse:
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
        submitted_on=container.today(),
        submitted_by=principal.actor,
    )

    async def action(unit: MdfUnit) -> tuple[int, RequestOut]:
        done = await cases.submit_request(unit, command, policy=container.policy)
        return 201, RequestOut.of(done)

    return await write(request, principal, container, action)


@router.post("/requests/{request_id}/approve", response_model=RequestOut)
async def approve_request(
    request_id: str, body: ApproveBody, request: Request, principal: Manager, container: Container
) -> JSONResponse:
    """Approve, possibly for less than asked: the amount is reserved (plan milestones are paid)."""
    command = model.ApproveRequest(request_id, body.amount, container.today(), principal.subject)

    async def action(unit: MdfUnit) -> tuple[int, RequestOut]:
        return 200, RequestOut.of(await cases.approve_request(unit, command, policy=container.policy))

    return await write(request, principal, container, action)


@router.post("/requests/{request_id}/reject", response_model=RequestOut)
async def reject_request(
    request_id: str, body: ReasonBody, request: Request, principal: Manager, container: Container
) -> JSONResponse:
    command = model.RejectRequest(request_id, body.reason, container.today(), principal.subject)

    async def action(unit: MdfUnit) -> tuple[int, RequestOut]:
        return 200, RequestOut.of(await cases.reject_request(unit, command))

    return await write(request, principal, container, action)


@router.post("/requests/{request_id}/cancel", response_model=RequestOut)
async def cancel_request(
    request_id: str, body: CancelBody, request: Request, principal: Writer, container: Container
) -> JSONResponse:
    """Cancel a submitted or approved request; what it still reserves goes back to the fund."""
    command = model.CancelRequest(request_id, body.reason, container.today(), principal.subject)

    async def action(unit: MdfUnit) -> tuple[int, RequestOut]:
        done = await cases.cancel_request(unit, command, partner_id=principal.partner_id)
        return 200, RequestOut.of(done)

    return await write(request, principal, container, action)


@router.post("/requests/{request_id}/results", status_code=201, response_model=ResultsOut)
async def report_results(
    request_id: str, body: ResultsBody, request: Request, principal: Writer, container: Container
) -> JSONResponse:
    """Report campaign results (stored and emitted as mdf.results_reported for ROI analysis)."""
    command = ReportResults(body.result_id, request_id, body.results, container.today())

    async def action(unit: MdfUnit) -> tuple[int, ResultsOut]:
        event = await result_cases.report_results(unit, command, by=principal.actor, partner_id=principal.partner_id)
        return 201, ResultsOut.of(event)

    return await write(request, principal, container, action)


@router.get("/requests")
async def list_requests(
    principal: Reader,
    container: Container,
    partner_id: str | None = None,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
    status: Annotated[list[RequestStatus] | None, Query()] = None,
    activity_type: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> RequestPage:
    """Requests, oldest first; filter by partner, period, status (repeatable) and activity type."""
    where = RequestFilter(own_partner(principal, partner_id), period, tuple(status or ()), activity_type)
    limit = page_limit(container, limit)
    after = decode_int_cursor(cursor)
    page = await read(container, lambda unit: queries.list_requests(unit, where, after=after, limit=limit))
    return RequestPage(items=[RequestOut.of(r) for r in page.items], next_cursor=page.next_cursor)


@router.get("/requests/{request_id}")
async def get_request(request_id: str, principal: Reader, container: Container) -> RequestDetailOut:
    """One request with its disbursements and reported results."""
    found, history = await read(
        container, lambda unit: queries.request_detail(unit, request_id, partner_id=principal.partner_id)
    )
    return RequestDetailOut.detail(found, history)
