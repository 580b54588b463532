"""/deals/{id}/flags/{reason}: anomaly review by a manager: clear (the ledger releases what it
holds) or confirm (the deal is rejected and the ledger reverses its rewards)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from incentive_contracts.events.deal import FlagReason

from ...application import deals as cases
from ...domain.flag_review import ConfirmFlag
from ...domain.influence import ClearFlag
from ..deps import Container, Unit, actor, write
from ..schemas.deals import ClearFlagBody, ConfirmFlagBody, DealOut
from .deals import Manager

router = APIRouter(prefix="/deals", tags=["deals"])


@router.post("/{deal_id}/flags/{reason}/clear", response_model=DealOut)
async def clear_flag(
    deal_id: str, reason: FlagReason, body: ClearFlagBody, request: Request, principal: Manager, container: Container
) -> JSONResponse:
    command = ClearFlag(
        deal_id=deal_id, reason=reason, cleared_by=actor(principal), cleared_on=container.today(), note=body.note
    )

    async def action(unit: Unit) -> tuple[int, DealOut]:
        return 200, DealOut.of(await cases.clear_flag(unit, command))

    return await write(request, principal, container, action)


@router.post("/{deal_id}/flags/{reason}/confirm", response_model=DealOut)
async def confirm_flag(
    deal_id: str, reason: FlagReason, body: ConfirmFlagBody, request: Request, principal: Manager, container: Container
) -> JSONResponse:
    """Confirm an anomaly: the deal is rejected and the ledger reverses its rewards (deal.flag_confirmed)."""
    command = ConfirmFlag(
        deal_id=deal_id, reason=reason, confirmed_by=actor(principal), confirmed_on=container.today(), note=body.note
    )

    async def action(unit: Unit) -> tuple[int, DealOut]:
        return 200, DealOut.of(await cases.confirm_flag(unit, command))

    return await write(request, principal, container, action)
