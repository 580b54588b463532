"""Claims with proof of performance: submit, approve (fully or partly), reject, and read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from servicekit.auth import Principal, requires
from servicekit.pagination import decode_int_cursor

from ..application import claims as cases
from ..application import queries
from ..application.ports import ClaimFilter, MdfUnit
from ..domain import claim as model
from ..domain.claim import ClaimStatus
from .deps import MANAGE, READ_OWN, WRITE_OWN, Container, own_partner, page_limit, read, write
from .schemas import PERIOD_PATTERN, ApproveBody, ClaimOut, ClaimPage, ReasonBody, SubmitClaimBody

router = APIRouter(tags=["claims"])
Manager = Annotated[Principal, Depends(requires(*MANAGE))]
Writer = Annotated[Principal, Depends(requires(*WRITE_OWN, partner_bound="confine"))]
Reader = Annotated[Principal, Depends(requires(*READ_OWN, partner_bound="confine"))]


@router.post("/requests/{request_id}/claims", status_code=201, response_model=ClaimOut)
async def submit_claim(
    request_id: str, body: SubmitClaimBody, request: Request, principal: Writer, container: Container
) -> JSONResponse:
    """Claim against an approved request, within the claim window after the activity ends."""
    command = model.SubmitClaim(
        claim_id=body.claim_id,
        request_id=request_id,
        claimed_amount=body.claimed_amount,
        actual_cost=body.actual_cost,
        invoice_ref=body.invoice_ref,
        proof=tuple(body.proof),
        results=body.results,
        submitted_on=container.today(),
        submitted_by=principal.actor,
    )

    async def action(unit: MdfUnit) -> tuple[int, ClaimOut]:
        done = await cases.submit_claim(unit, command, policy=container.policy, partner_id=principal.partner_id)
        return 201, ClaimOut.of(done)

    return await write(request, principal, container, action)


@router.post("/claims/{claim_id}/approve", response_model=ClaimOut)
async def approve_claim(
    claim_id: str, body: ApproveBody, request: Request, principal: Manager, container: Container
) -> JSONResponse:
    """Approve fully, or partly with a lower amount; proof milestones are paid."""
    command = model.ApproveClaim(claim_id, body.amount, container.today(), principal.subject)

    async def action(unit: MdfUnit) -> tuple[int, ClaimOut]:
        return 200, ClaimOut.of(await cases.approve_claim(unit, command))

    return await write(request, principal, container, action)


@router.post("/claims/{claim_id}/reject", response_model=ClaimOut)
async def reject_claim(
    claim_id: str, body: ReasonBody, request: Request, principal: Manager, container: Container
) -> JSONResponse:
    command = model.RejectClaim(claim_id, body.reason, container.today(), principal.subject)

    async def action(unit: MdfUnit) -> tuple[int, ClaimOut]:
        return 200, ClaimOut.of(await cases.reject_claim(unit, command))

    return await write(request, principal, container, action)


@router.get("/claims")
async def list_claims(
    principal: Reader,
    container: Container,
    partner_id: str | None = None,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
    status: Annotated[list[ClaimStatus] | None, Query()] = None,
    request_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> ClaimPage:
    """Claims, oldest first; filter by partner, period, status (repeatable) and request."""
    where = ClaimFilter(own_partner(principal, partner_id), period, tuple(status or ()), request_id)
    limit = page_limit(container, limit)
    after = decode_int_cursor(cursor)
    page = await read(container, lambda unit: queries.list_claims(unit, where, after=after, limit=limit))
    return ClaimPage(items=[ClaimOut.of(c) for c in page.items], next_cursor=page.next_cursor)


@router.get("/claims/{claim_id}")
async def get_claim(claim_id: str, principal: Reader, container: Container) -> ClaimOut:
    found = await read(container, lambda unit: queries.claim_detail(unit, claim_id, partner_id=principal.partner_id))
    return ClaimOut.of(found)
