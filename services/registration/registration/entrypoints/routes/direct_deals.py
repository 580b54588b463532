"""/direct-deals: the vendor's own deals, which partners' registrations conflict with."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from servicekit.auth import Principal, requires
from servicekit.dates import check_facts

from ...application import deals as cases
from ...domain.approval import Decision
from ...domain.identity import CustomerIdentity, normalize_product_line
from ...domain.registration import DirectDeal
from ..deps import Container, Unit, actor, read, write
from ..schemas.deals import DealOut, DecisionBody, DirectDealBody, DirectDealOut

router = APIRouter(prefix="/direct-deals", tags=["deals"])
Manager = Annotated[Principal, Depends(requires("deals:write"))]


def _out(direct: DirectDeal, product_line: str | None = None) -> DirectDealOut:
    return DirectDealOut(
        direct_deal_id=direct.direct_deal_id,
        customer_domain=direct.identity.domain,
        customer_name_key=direct.identity.name_key,
        product_line=product_line or direct.product_key,
        registered_on=direct.registered_on,
        active=direct.active,
    )


@router.post("", status_code=201, response_model=DirectDealOut)
async def add_direct_deal(
    body: DirectDealBody, request: Request, principal: Manager, container: Container
) -> JSONResponse:
    check_facts(request, container.today(), {"registered_on": body.registered_on})
    direct = DirectDeal(
        direct_deal_id=body.direct_deal_id,
        identity=CustomerIdentity.of(body.customer_name, body.customer_domain),
        product_key=normalize_product_line(body.product_line),
        registered_on=body.registered_on or container.today(),
    )

    async def action(unit: Unit) -> tuple[int, DirectDealOut]:
        await cases.add_direct_deal(
            unit,
            direct,
            customer_name=body.customer_name,
            product_line=body.product_line,
            created_by=actor(principal),
            note=body.note,
        )
        return 201, _out(direct, body.product_line)

    return await write(request, principal, container, action)


@router.get("/{direct_deal_id}")
async def get_direct_deal(
    direct_deal_id: str,
    principal: Annotated[Principal, Depends(requires("deals:read", "deals:write"))],
    container: Container,
) -> DirectDealOut:
    return _out(await read(container, lambda unit: cases.get_direct_deal(unit, direct_deal_id)))


@router.post("/{direct_deal_id}/award", response_model=list[DealOut])
async def award_to_vendor(
    direct_deal_id: str, body: DecisionBody, request: Request, principal: Manager, container: Container
) -> JSONResponse:
    """Resolve the conflict for the vendor: every conflicting partner registration is rejected."""
    command = Decision(deal_id="", by=actor(principal), on=container.today(), reason=body.note)

    async def action(unit: Unit) -> tuple[int, list[DealOut]]:
        rejected = await cases.award_direct(unit, direct_deal_id, command, container.policy)
        return 200, [DealOut.of(d) for d in rejected]

    return await write(request, principal, container, action)
