"""MDF request use cases: submit, approve (reserving funds), reject, cancel (releasing them)."""

from __future__ import annotations

from ..domain import request as model
from ..domain.amounts import ZERO
from ..domain.errors import NotFound
from ..domain.period_close import PeriodState
from ..domain.policy import MdfPolicy
from ..domain.request import MdfRequest
from .effects import apply_events
from .partner_directory import require_known
from .ports import MdfUnit


async def submit_request(unit: MdfUnit, command: model.SubmitRequest, *, policy: MdfPolicy) -> MdfRequest:
    await require_known(unit.partners, command.partner_id)
    period = await unit.periods.lock(command.period)
    existing = await unit.requests.get(command.request_id)
    fund = await unit.funds.get(command.partner_id, command.period, command.requested_amount.currency)
    tier = await unit.tiers.get(command.partner_id)
    events = model.decide_submit(
        existing,
        command,
        available=fund.available if fund is not None else ZERO,
        tier=tier,
        closed=period.closed,
        policy=policy,
    )
    applied = await apply_events(unit, events, actor=command.submitted_by)
    assert applied.request is not None
    return applied.request


async def approve_request(unit: MdfUnit, command: model.ApproveRequest, *, policy: MdfPolicy) -> MdfRequest:
    """The fund row is locked FOR UPDATE before available is read, so approvals never over-reserve."""
    period, request = await lock_request(unit, command.request_id)
    fund = await unit.funds.lock(request.partner_id, request.period, request.currency)
    events = model.decide_approve(request, command, available=fund.available, closed=period.closed, policy=policy)
    applied = await apply_events(unit, events, actor=command.approved_by, request=request, fund=fund)
    assert applied.request is not None
    return applied.request


async def reject_request(unit: MdfUnit, command: model.RejectRequest) -> MdfRequest:
    _, request = await lock_request(unit, command.request_id)
    applied = await apply_events(
        unit, model.decide_reject(request, command), actor=command.rejected_by, request=request
    )
    assert applied.request is not None
    return applied.request


async def cancel_request(unit: MdfUnit, command: model.CancelRequest, *, partner_id: str | None) -> MdfRequest:
    """``partner_id`` set: the caller is that partner and may only cancel its own requests."""
    period, request = await lock_request(unit, command.request_id, partner_id=partner_id)
    fund = await unit.funds.lock(request.partner_id, request.period, request.currency)
    applied = await apply_events(
        unit,
        model.decide_cancel(request, command),
        actor=command.cancelled_by,
        request=request,
        fund=fund,
        period_closed=period.closed,
    )
    assert applied.request is not None
    return applied.request


async def lock_request(
    unit: MdfUnit, request_id: str, *, partner_id: str | None = None
) -> tuple[PeriodState, MdfRequest]:
    """Lock the request's period (shared) and then the request, in the service's lock order."""
    peek = await get_request(unit, request_id, partner_id=partner_id)
    period = await unit.periods.lock(peek.period)
    return period, await get_request(unit, request_id, for_update=True)


async def get_request(
    unit: MdfUnit, request_id: str, *, for_update: bool = False, partner_id: str | None = None
) -> MdfRequest:
    """The request, or NotFound (also when it belongs to another partner than ``partner_id``)."""
    request = await unit.requests.get(request_id, for_update=for_update)
    if request is None or (partner_id is not None and request.partner_id != partner_id):
        raise NotFound(f"request {request_id} not found")
    return request
