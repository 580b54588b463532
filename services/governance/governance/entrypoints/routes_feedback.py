"""Partner feedback: proposals to improve a program, and managers' answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from servicekit.idempotency import run_write
from servicekit.pagination import decode_int_cursor
from servicekit.unit_of_work import UnitOfWork

from ..application import feedback as cases
from ..application.ports import StreamFilter
from ..domain import feedback as model
from .deps import Container, ProgramOffice, Reader, Writer, page_limit
from .schemas import AnswerBody, ProposalBody, ProposalOut, ProposalPage

router = APIRouter(tags=["feedback"])


@router.post("/proposals", status_code=201, response_model=ProposalOut)
async def submit(body: ProposalBody, request: Request, principal: Writer, container: Container) -> JSONResponse:
    principal.require_partner(body.partner_id)
    command = model.SubmitProposal(
        body.proposal_id, body.partner_id, body.program_id, body.title, body.text, container.today(), principal.actor
    )

    async def action(uow: UnitOfWork) -> tuple[int, ProposalOut]:
        return 201, ProposalOut.of(await cases.submit_proposal(container.unit(uow), command))

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.post("/proposals/{proposal_id}/answers", response_model=ProposalOut)
async def answer(
    proposal_id: str, body: AnswerBody, request: Request, principal: ProgramOffice, container: Container
) -> JSONResponse:
    command = model.AnswerProposal(proposal_id, body.status, body.answer, container.today(), principal.actor)

    async def action(uow: UnitOfWork) -> tuple[int, ProposalOut]:
        return 200, ProposalOut.of(await cases.answer_proposal(container.unit(uow), command))

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.get("/proposals")
async def list_proposals(
    principal: Reader,
    container: Container,
    program_id: str | None = None,
    partner_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> ProposalPage:
    """Proposals per program, oldest first; a partner sees its own."""
    where = StreamFilter(principal.confine(partner_id), program_id)
    async with container.runtime.uow_factory() as uow:
        page = await cases.list_proposals(
            container.unit(uow), where, after=decode_int_cursor(cursor), limit=page_limit(container, limit)
        )
    return ProposalPage(items=[ProposalOut.of(p) for p in page.items], next_cursor=page.next_cursor)


@router.get("/proposals/{proposal_id}")
async def get_proposal(proposal_id: str, principal: Reader, container: Container) -> ProposalOut:
    async with container.runtime.uow_factory() as uow:
        found = await cases.get_proposal(container.unit(uow), proposal_id, partner_id=principal.partner_id)
    return ProposalOut.of(found)
