"""/partners: enroll, update, deactivate, read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from incentive_contracts.events.partner import PartnerType
from servicekit.auth import Principal, requires
from servicekit.dates import check_facts

from ...application import partners as cases
from ...application.ports import PartnerQuery
from ...domain import partner as model
from ..deps import Container, Unit, actor, read, write
from ..schemas.common import PageOut
from ..schemas.partners import DeactivatePartnerBody, EnrollPartnerBody, PartnerOut, UpdatePartnerBody

router = APIRouter(prefix="/partners", tags=["partners"])
PARTNER_READ = ("deals:read", "partners:write", "partner:read")


@router.post("", status_code=201, response_model=PartnerOut)
async def enroll_partner(
    body: EnrollPartnerBody,
    request: Request,
    principal: Annotated[Principal, Depends(requires("partners:write"))],
    container: Container,
) -> JSONResponse:
    check_facts(request, container.today(), {"enrolled_on": body.enrolled_on})
    command = model.EnrollPartner(
        partner_id=body.partner_id,
        name=body.name,
        partner_type=body.partner_type,
        region=body.region,
        vertical=body.vertical,
        domain=body.domain,
        program_id=body.program_id,
        enrolled_on=body.enrolled_on or container.today(),
        contacts=tuple(body.contacts),
    )

    async def action(unit: Unit) -> tuple[int, PartnerOut]:
        return 201, PartnerOut.of(await cases.enroll_partner(unit, command, actor=actor(principal)))

    return await write(request, principal, container, action)


@router.patch("/{partner_id}", response_model=PartnerOut)
async def update_partner(
    partner_id: str,
    body: UpdatePartnerBody,
    request: Request,
    principal: Annotated[Principal, Depends(requires("partners:write"))],
    container: Container,
) -> JSONResponse:
    changes = body.model_dump(exclude_unset=True)
    if "contacts" in changes:
        changes["contacts"] = tuple(body.contacts or ())
    command = model.UpdatePartner(partner_id=partner_id, updated_on=container.today(), changes=changes)

    async def action(unit: Unit) -> tuple[int, PartnerOut]:
        return 200, PartnerOut.of(await cases.update_partner(unit, command, actor=actor(principal)))

    return await write(request, principal, container, action)


@router.post("/{partner_id}/deactivate", response_model=PartnerOut)
async def deactivate_partner(
    partner_id: str,
    body: DeactivatePartnerBody,
    request: Request,
    principal: Annotated[Principal, Depends(requires("partners:write"))],
    container: Container,
) -> JSONResponse:
    check_facts(request, container.today(), {"deactivated_on": body.deactivated_on})
    command = model.DeactivatePartner(
        partner_id=partner_id, deactivated_on=body.deactivated_on or container.today(), reason=body.reason
    )

    async def action(unit: Unit) -> tuple[int, PartnerOut]:
        return 200, PartnerOut.of(await cases.deactivate_partner(unit, command, actor=actor(principal)))

    return await write(request, principal, container, action)


@router.get("")
async def list_partners(
    principal: Annotated[Principal, Depends(requires(*PARTNER_READ, partner_bound="confine"))],
    container: Container,
    partner_type: PartnerType | None = None,
    region: str | None = None,
    tier: str | None = None,
    active: bool | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> PageOut[PartnerOut]:
    if principal.partner_id is not None:
        partner = await read(container, lambda unit: cases.get_partner(unit, principal.partner_id or ""))
        return PageOut(items=[PartnerOut.of(partner)], next_cursor=None)
    query = PartnerQuery(partner_type=partner_type, region=region, tier=tier, active=active, cursor=cursor, limit=limit)
    page = await read(container, lambda unit: cases.list_partners(unit, query))
    return PageOut(items=[PartnerOut.of(p) for p in page.items], next_cursor=page.next_cursor)


@router.get("/{partner_id}")
async def get_partner(
    partner_id: str,
    principal: Annotated[Principal, Depends(requires(*PARTNER_READ, partner_bound="confine"))],
    container: Container,
) -> PartnerOut:
    principal.require_partner(partner_id)
    return PartnerOut.of(await read(container, lambda unit: cases.get_partner(unit, partner_id)))
