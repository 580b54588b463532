"""/deals: registration (single and bulk), approval, conflicts, stages, influence, reads."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from incentive_contracts.dates import BusinessDate
from servicekit.auth import Principal, requires
from servicekit.dates import check_facts
from servicekit.json_ready import JsonReady
from servicekit.problems import Problem
from servicekit.viewer import other_parties

from ...application import deals as cases
from ...application.ports import DealQuery
from ...application.registering import register_deals
from ...bootstrap import RegistrationContainer
from ...domain import stages
from ...domain.approval import Decision
from ...domain.deal import Deal, Stage, Status
from ...domain.errors import NotFound
from ...domain.influence import RecordInfluence
from ...domain.registration import RegisterDeal
from ..deps import PARTNER_WRITE_SCOPES, READ_SCOPES, Container, Unit, actor, read, write
from ..schemas.common import PageOut
from ..schemas.crm import ExpiredOut
from ..schemas.deals import (
    BulkOut,
    BulkRegisterBody,
    DealDetailOut,
    DealOut,
    DecisionBody,
    ExpireBody,
    ForecastBody,
    HistoryOut,
    InfluenceBody,
    LoseBody,
    RegisterDealBody,
    RejectBody,
    ReversalBody,
    StageBody,
    WinBody,
)

router = APIRouter(prefix="/deals", tags=["deals"])
Manager = Annotated[Principal, Depends(requires("deals:write"))]
PartnerOrManager = Annotated[Principal, Depends(requires(*PARTNER_WRITE_SCOPES, partner_bound="confine"))]
Reader = Annotated[Principal, Depends(requires(*READ_SCOPES, partner_bound="confine"))]


def _command(
    body: RegisterDealBody, request: Request, principal: Principal, day: date, where: str = ""
) -> RegisterDeal:
    principal.require_partner(body.partner_id)
    check_facts(request, day, {f"{where}registered_on": body.registered_on})
    if principal.partner_id is not None and body.registered_on not in (None, day):
        raise Problem(422, "Invalid request", "partners register with today's date; registered_on is for managers")
    return RegisterDeal(
        deal_id=body.deal_id,
        partner_id=body.partner_id,
        customer_name=body.customer_name,
        customer_domain=body.customer_domain,
        product_line=body.product_line,
        expected_amount=body.expected_amount,
        expected_close=body.expected_close,
        registered_on=body.registered_on or day,
    )


@router.post("", status_code=201, response_model=DealOut)
async def register_deal(
    body: RegisterDealBody, request: Request, principal: PartnerOrManager, container: Container
) -> JSONResponse:
    command = _command(body, request, principal, container.today())

    async def action(unit: Unit) -> tuple[int, DealOut]:
        [deal] = await register_deals(unit, [command], container.policy, actor=actor(principal))
        return 201, DealOut.of(deal)

    return await write(request, principal, container, action)


@router.post("/bulk", status_code=201, response_model=BulkOut)
async def register_deals_in_bulk(
    body: BulkRegisterBody, request: Request, principal: PartnerOrManager, container: Container
) -> JSONResponse:
    """Many registrations in ONE transaction: all are registered, or none (the error names the item)."""
    day = container.today()  # one date for the whole request
    commands = [_command(item, request, principal, day, f"deals.{i}.") for i, item in enumerate(body.deals)]

    async def action(unit: Unit) -> tuple[int, JsonReady]:
        deals = await register_deals(unit, commands, container.policy, actor=actor(principal))
        return 201, bulk_out(deals)

    return await write(request, principal, container, action)


def bulk_out(deals: list[Deal]) -> JsonReady:
    """The :class:`BulkOut` body as plain JSON values: thousands of items skip model validation and
    dumping, and (as :class:`JsonReady`) the idempotency layer's ``jsonable_encoder`` walk too."""
    counts = Counter(d.status.value for d in deals)
    items = [
        {
            "deal_id": d.deal_id,
            "status": d.status.value,
            "conflicts_with": other_parties(list(d.conflicts_with)),
            "conflict_count": len(d.conflicts_with),
            "flags": [f.reason.value for f in d.open_flags],
        }
        for d in deals
    ]
    return JsonReady(registered=len(deals), by_status=dict(counts), deals=items)


@router.get("")
async def list_deals(
    principal: Reader,
    container: Container,
    partner_id: str | None = None,
    stage: Stage | None = None,
    status: Status | None = None,
    flagged: bool | None = None,
    close_from: Annotated[BusinessDate | None, Query(description="forecast close on or after")] = None,
    close_to: Annotated[BusinessDate | None, Query(description="forecast close on or before")] = None,
    product_line: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> PageOut[DealOut]:
    if principal.partner_id is not None:
        if partner_id not in (None, principal.partner_id):
            return PageOut(items=[], next_cursor=None)
        partner_id = principal.partner_id
    query = DealQuery(
        partner_id=partner_id,
        stage=stage,
        status=status,
        flagged=flagged,
        close_from=close_from,
        close_to=close_to,
        product_line=product_line,
        cursor=cursor,
        limit=limit,
    )
    page = await read(container, lambda unit: cases.list_deals(unit, query))
    return PageOut(items=[DealOut.of(d) for d in page.items], next_cursor=page.next_cursor)


@router.get("/{deal_id}")
async def get_deal(deal_id: str, principal: Reader, container: Container) -> DealDetailOut:
    async def load(unit: Unit) -> DealDetailOut:
        deal = await cases.get(unit, deal_id)
        if not principal.can_see_partner(deal.partner_id):
            raise NotFound(f"deal {deal_id} not found")
        history = [HistoryOut.of(h) for h in await cases.history(unit, deal_id)]
        return DealDetailOut(**DealOut.of(deal).model_dump(), history=history)

    return await read(container, load)


async def _own(unit: Unit, principal: Principal, deal_id: str) -> None:
    """A partner token reaches only its own partner's deals (404 otherwise, as if absent)."""
    if principal.partner_id is not None:
        deal = await cases.get(unit, deal_id)
        if deal.partner_id != principal.partner_id:
            raise NotFound(f"deal {deal_id} not found")


def _decision(container: RegistrationContainer, principal: Principal, deal_id: str, reason: str | None) -> Decision:
    return Decision(deal_id=deal_id, by=actor(principal), on=container.today(), reason=reason)


@router.post("/expire", response_model=ExpiredOut)
async def expire_deals(body: ExpireBody, request: Request, principal: Manager, container: Container) -> JSONResponse:
    """Expire approved registrations without progress for the configured days before ``as_of``."""
    check_facts(request, container.today(), {"as_of": body.as_of})

    async def action(unit: Unit) -> tuple[int, ExpiredOut]:
        expired = await cases.expire(unit, body.as_of, container.policy, actor=actor(principal))
        return 200, ExpiredOut(as_of=body.as_of, expired=[d.deal_id for d in expired])

    return await write(request, principal, container, action)


@router.post("/{deal_id}/approve", response_model=DealOut)
async def approve_deal(
    deal_id: str, body: DecisionBody, request: Request, principal: Manager, container: Container
) -> JSONResponse:
    command = _decision(container, principal, deal_id, body.note)

    async def action(unit: Unit) -> tuple[int, DealOut]:
        return 200, DealOut.of(await cases.approve(unit, command))

    return await write(request, principal, container, action)


@router.post("/{deal_id}/reject", response_model=DealOut)
async def reject_deal(
    deal_id: str, body: RejectBody, request: Request, principal: Manager, container: Container
) -> JSONResponse:
    command = _decision(container, principal, deal_id, body.reason)

    async def action(unit: Unit) -> tuple[int, DealOut]:
        return 200, DealOut.of(await cases.reject(unit, command))

    return await write(request, principal, container, action)


@router.post("/{deal_id}/award", response_model=DealOut)
async def award_conflict(
    deal_id: str, body: DecisionBody, request: Request, principal: Manager, container: Container
) -> JSONResponse:
    """Resolve a conflict in this registration's favour; the rival registrations are rejected."""
    command = _decision(container, principal, deal_id, body.note)

    async def action(unit: Unit) -> tuple[int, DealOut]:
        return 200, DealOut.of(await cases.award(unit, command, container.policy))

    return await write(request, principal, container, action)


@router.post("/{deal_id}/stage", response_model=DealOut)
async def change_stage(
    deal_id: str, body: StageBody, request: Request, principal: PartnerOrManager, container: Container
) -> JSONResponse:
    check_facts(request, container.today(), {"changed_at": body.changed_at})
    command = stages.ChangeStage(
        deal_id=deal_id,
        to_stage=body.stage,
        changed_at=body.changed_at or container.runtime.clock.now(),
        forecast_close=body.forecast_close,
    )

    async def action(unit: Unit) -> tuple[int, DealOut]:
        await _own(unit, principal, deal_id)
        return 200, DealOut.of(await cases.change_stage(unit, command, actor=actor(principal)))

    return await write(request, principal, container, action)


@router.post("/{deal_id}/won", response_model=DealOut)
async def win_deal(
    deal_id: str, body: WinBody, request: Request, principal: Manager, container: Container
) -> JSONResponse:
    check_facts(request, container.today(), {"closed_on": body.closed_on})
    command = stages.WinDeal(deal_id=deal_id, amount=body.amount, closed_on=body.closed_on)

    async def action(unit: Unit) -> tuple[int, DealOut]:
        return 200, DealOut.of(await cases.win(unit, command, container.policy, actor=actor(principal)))

    return await write(request, principal, container, action)


@router.post("/{deal_id}/lost", response_model=DealOut)
async def lose_deal(
    deal_id: str, body: LoseBody, request: Request, principal: PartnerOrManager, container: Container
) -> JSONResponse:
    check_facts(request, container.today(), {"lost_on": body.lost_on})
    command = stages.LoseDeal(deal_id=deal_id, lost_on=body.lost_on or container.today(), reason=body.reason)

    async def action(unit: Unit) -> tuple[int, DealOut]:
        await _own(unit, principal, deal_id)
        return 200, DealOut.of(await cases.lose(unit, command, actor=actor(principal)))

    return await write(request, principal, container, action)


@router.post("/{deal_id}/reversal", response_model=DealOut)
async def reverse_deal(
    deal_id: str, body: ReversalBody, request: Request, principal: Manager, container: Container
) -> JSONResponse:
    """A won deal cancelled or refunded, fully (no amount) or partly."""
    check_facts(request, container.today(), {"reversed_on": body.reversed_on})
    command = stages.ReverseDeal(
        deal_id=deal_id,
        reversed_on=body.reversed_on or container.today(),
        reason=f"{body.kind.value}: {body.reason}",
        amount=body.amount,
    )

    async def action(unit: Unit) -> tuple[int, DealOut]:
        return 200, DealOut.of(await cases.reverse(unit, command, actor=actor(principal)))

    return await write(request, principal, container, action)


@router.post("/{deal_id}/forecast", response_model=DealOut)
async def change_forecast(
    deal_id: str, body: ForecastBody, request: Request, principal: PartnerOrManager, container: Container
) -> JSONResponse:
    if body.expected_amount is None and body.expected_close is None:
        raise Problem(422, "Invalid request", "give expected_amount, expected_close or both")
    command = stages.ChangeForecast(
        deal_id=deal_id,
        changed_at=container.runtime.clock.now(),
        expected_amount=body.expected_amount,
        expected_close=body.expected_close,
    )

    async def action(unit: Unit) -> tuple[int, DealOut]:
        await _own(unit, principal, deal_id)
        return 200, DealOut.of(await cases.change_forecast(unit, command, actor=actor(principal)))

    return await write(request, principal, container, action)


@router.post("/{deal_id}/influence", status_code=201, response_model=DealOut)
async def record_influence(
    deal_id: str, body: InfluenceBody, request: Request, principal: PartnerOrManager, container: Container
) -> JSONResponse:
    """Proof of influence (co-selling call, joint demo, customer referral, technical workshop)."""
    command = RecordInfluence(
        deal_id=deal_id,
        activity_id=body.activity_id,
        kind=body.kind,
        occurred_on=body.occurred_on,
        evidence_ref=body.evidence_ref,
        today=container.today(),
    )

    async def action(unit: Unit) -> tuple[int, DealOut]:
        await _own(unit, principal, deal_id)
        return 201, DealOut.of(await cases.record_influence(unit, command, actor=actor(principal)))

    return await write(request, principal, container, action)
