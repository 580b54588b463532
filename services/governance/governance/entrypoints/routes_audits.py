"""Spot audits: draw a period's seeded sample, confirm or fail its items, read the queue (staff only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from incentive_contracts.dates import PERIOD_PATTERN
from incentive_contracts.events.governance import AuditItemKind
from servicekit.idempotency import run_write
from servicekit.unit_of_work import UnitOfWork

from ..application import audits as cases
from ..domain import audit as model
from .deps import Auditor, Container, ProgramOffice
from .schemas import AuditDecisionBody, AuditOut, DrawBody

router = APIRouter(tags=["audits"])
Period = Annotated[str, Path(pattern=PERIOD_PATTERN)]


@router.post("/audits", status_code=201, response_model=AuditOut)
async def draw(body: DrawBody, request: Request, principal: ProgramOffice, container: Container) -> JSONResponse:
    """Draw the period's sample of won deals and MDF claims (once per period; the same inputs always
    give the same sample) at the program's spot-audit rate: the version in force on the period's first day."""
    period, seed, today = body.period, body.seed or container.settings.audit_seed, container.today()

    async def action(uow: UnitOfWork) -> tuple[int, AuditOut]:
        return 201, AuditOut.of(await cases.draw_sample(container.unit(uow), period, seed, today))

    return await run_write(request, principal, container.runtime.uow_factory, action)


async def _decide(
    request: Request, principal: ProgramOffice, container: Container, command: model.DecideItem
) -> JSONResponse:
    async def action(uow: UnitOfWork) -> tuple[int, AuditOut]:
        return 200, AuditOut.of(await cases.decide_item(container.unit(uow), command))

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.post("/audits/{period}/items/{item_kind}/{item_id}/confirm", response_model=AuditOut)
async def confirm(
    period: Period,
    item_kind: AuditItemKind,
    item_id: str,
    body: AuditDecisionBody,
    request: Request,
    principal: ProgramOffice,
    container: Container,
) -> JSONResponse:
    command = model.DecideItem(period, item_kind, item_id, True, principal.actor, container.today(), body.note)
    return await _decide(request, principal, container, command)


@router.post("/audits/{period}/items/{item_kind}/{item_id}/fail", response_model=AuditOut)
async def fail(
    period: Period,
    item_kind: AuditItemKind,
    item_id: str,
    body: AuditDecisionBody,
    request: Request,
    principal: ProgramOffice,
    container: Container,
) -> JSONResponse:
    """Fail a sampled item (with its reason): governance.audit_item_failed asks for its flag's confirmation."""
    command = model.DecideItem(period, item_kind, item_id, False, principal.actor, container.today(), body.note)
    return await _decide(request, principal, container, command)


@router.get("/audits/{period}")
async def audit(period: Period, principal: Auditor, container: Container) -> AuditOut:
    async with container.runtime.uow_factory() as uow:
        return AuditOut.of(await cases.audit_of(container.unit(uow), period))
