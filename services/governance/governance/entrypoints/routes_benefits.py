"""Commitment benefits: a partner's standing with its explained history, and evaluation runs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from servicekit.idempotency import run_write
from servicekit.unit_of_work import UnitOfWork

from ..application import benefits as cases
from ..domain.errors import RuleViolation
from .deps import Container, Manager, Reader
from .schemas import BenefitChangeOut, BenefitsOut, EvaluateBody, EvaluationOut

router = APIRouter(tags=["benefits"])


@router.get("/partners/{partner_id}/benefits")
async def partner_benefits(partner_id: str, principal: Reader, container: Container) -> BenefitsOut:
    """The benefits the partner holds now, and every grant and revocation with its rule and inputs."""
    principal.require_partner(partner_id)
    async with container.runtime.uow_factory() as uow:
        view = await cases.benefits_of(container.unit(uow), partner_id)
    return BenefitsOut.of(view)


@router.post("/benefits/evaluations", response_model=EvaluationOut)
async def evaluate(body: EvaluateBody, request: Request, principal: Manager, container: Container) -> JSONResponse:
    """Evaluate one partner, or every partner, as of a day (run daily: activity that ages out of the
    window revokes what it sustained). An evaluation never goes back before a partner's last change."""
    as_of = body.as_of or container.today()
    if as_of > container.today():
        raise RuleViolation.single("as_of", "as_of lies in the future")

    async def action(uow: UnitOfWork) -> tuple[int, EvaluationOut]:
        work = container.unit(uow)
        if body.partner_id is not None:
            changes = await cases.evaluate_partner(work, body.partner_id, as_of)
        else:
            changes = await cases.evaluate_all(work, as_of)
        partners = sorted({c.partner_id for c in changes})
        return 200, EvaluationOut(as_of=as_of, changes=[BenefitChangeOut.of(c) for c in changes], partners=partners)

    return await run_write(request, principal, container.runtime.uow_factory, action)
