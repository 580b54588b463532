"""HTTP API of the registration service: thin routes over the use cases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from incentive_contracts import topics
from servicekit.app import create_service_app
from servicekit.auth import Principal, requires
from servicekit.idempotency import run_write
from servicekit.problems import Problem
from servicekit.unit_of_work import UnitOfWork

from ..adapters.repositories import SqlRegistrationUnit
from ..application import deals as deal_cases
from ..application import partners as partner_cases
from ..config import RegistrationSettings
from ..domain import deal as deal_model
from ..domain import partner as partner_model
from ..domain.errors import AlreadyExists, InvalidTransition, NotFound, RuleViolation
from .schemas import DealOut, EnrollPartnerBody, PartnerOut, RegisterDealBody, WinDealBody

SOURCE = "/registration"

DOMAIN_ERRORS: dict[type[Exception], tuple[int, str]] = {
    NotFound: (404, "Not found"),
    AlreadyExists: (409, "Already exists"),
    InvalidTransition: (409, "Invalid transition"),
    RuleViolation: (422, "Rule violated"),
}

router = APIRouter()


def _today() -> datetime:
    return datetime.now(UTC)


@router.post("/partners", status_code=201, tags=["partners"])
async def enroll_partner(
    body: EnrollPartnerBody,
    request: Request,
    principal: Annotated[Principal, Depends(requires("partners:write"))],
) -> JSONResponse:
    command = partner_model.EnrollPartner(
        partner_id=body.partner_id,
        name=body.name,
        partner_type=body.partner_type,
        region=body.region,
        vertical=body.vertical,
        domain=body.domain,
        program_id=body.program_id,
        enrolled_on=body.enrolled_on or _today().date(),
    )

    async def action(uow: UnitOfWork) -> tuple[int, PartnerOut]:
        return 201, PartnerOut.of(await partner_cases.enroll_partner(SqlRegistrationUnit(uow), command))

    return await run_write(request, principal, request.app.state.uow_factory, action)


@router.get("/partners/{partner_id}", tags=["partners"])
async def get_partner(
    partner_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(requires("deals:read", "partners:write", "partner:read"))],
) -> PartnerOut:
    principal.require_partner(partner_id)
    async with request.app.state.uow_factory() as uow:
        return PartnerOut.of(await partner_cases.get_partner(SqlRegistrationUnit(uow), partner_id))


@router.post("/deals", status_code=201, tags=["deals"])
async def register_deal(
    body: RegisterDealBody,
    request: Request,
    principal: Annotated[Principal, Depends(requires("deals:write", "partner:write"))],
) -> JSONResponse:
    principal.require_partner(body.partner_id)
    command = deal_model.RegisterDeal(
        deal_id=body.deal_id,
        partner_id=body.partner_id,
        customer_name=body.customer_name,
        customer_domain=partner_model.normalize_domain(body.customer_domain),
        product_line=body.product_line,
        expected_amount=body.expected_amount,
        expected_close=body.expected_close,
        registered_on=body.registered_on or _today().date(),
    )

    async def action(uow: UnitOfWork) -> tuple[int, DealOut]:
        return 201, DealOut.of(await deal_cases.register_deal(SqlRegistrationUnit(uow), command))

    return await run_write(request, principal, request.app.state.uow_factory, action)


@router.post("/deals/{deal_id}/won", tags=["deals"])
async def win_deal(
    deal_id: str,
    body: WinDealBody,
    request: Request,
    principal: Annotated[Principal, Depends(requires("deals:write"))],
) -> JSONResponse:
    command = deal_model.WinDeal(deal_id=deal_id, amount=body.amount, closed_on=body.closed_on)

    async def action(uow: UnitOfWork) -> tuple[int, DealOut]:
        unit = SqlRegistrationUnit(uow)
        deal = await deal_cases.get_deal(unit, deal_id)
        if deal.expected_amount.currency != body.amount.currency:
            raise Problem(422, "Currency mismatch", f"deal {deal_id} is in {deal.expected_amount.currency}")
        return 200, DealOut.of(await deal_cases.win_deal(unit, command))

    return await run_write(request, principal, request.app.state.uow_factory, action)


@router.get("/deals/{deal_id}", tags=["deals"])
async def get_deal(
    deal_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(requires("deals:read", "deals:write", "partner:read"))],
) -> DealOut:
    async with request.app.state.uow_factory() as uow:
        deal = await deal_cases.get_deal(SqlRegistrationUnit(uow), deal_id)
    if not principal.can_see_partner(deal.partner_id):
        raise NotFound(f"deal {deal_id} not found")
    return DealOut.of(deal)


def create_app(settings: RegistrationSettings | None = None) -> FastAPI:
    settings = settings or RegistrationSettings()
    return create_service_app(
        settings,
        service="registration",
        source=SOURCE,
        topic=topics.prefixed(topics.REGISTRATION, settings.topic_prefix),
        title="Partner registration",
        routers=[router],
        domain_errors=DOMAIN_ERRORS,
    )
