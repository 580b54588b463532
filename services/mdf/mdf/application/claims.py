"""Claim use cases: submit with proof, approve (fully or partly, paying proof milestones), reject."""

from __future__ import annotations

from dataclasses import replace

from ..domain import claim as model
from ..domain.claim import Claim
from ..domain.errors import NotFound
from ..domain.policy import MdfPolicy
from .effects import apply_events
from .ports import MdfUnit
from .requests import lock_request


async def submit_claim(
    unit: MdfUnit, command: model.SubmitClaim, *, policy: MdfPolicy, partner_id: str | None
) -> Claim:
    _, request = await lock_request(unit, command.request_id, partner_id=partner_id)
    existing = await unit.claims.get(command.claim_id)
    events = model.decide_submit_claim(existing, request, command, policy=policy)
    applied = await apply_events(unit, events, actor=command.submitted_by, request=request)
    assert applied.claim is not None
    return applied.claim


async def approve_claim(unit: MdfUnit, command: model.ApproveClaim) -> Claim:
    peek = await get_claim(unit, command.claim_id)
    period, request = await lock_request(unit, peek.request_id)
    claim = await get_claim(unit, command.claim_id, for_update=True)
    fund = await unit.funds.lock(request.partner_id, request.period, request.currency)
    applied = await apply_events(
        unit,
        model.decide_approve_claim(claim, request, command),
        actor=command.approved_by,
        request=request,
        claim=claim,
        fund=fund,
        period_closed=period.closed,
    )
    assert applied.claim is not None
    approved = replace(applied.claim, decided_by=command.approved_by)
    await unit.claims.save(approved)
    return approved


async def reject_claim(unit: MdfUnit, command: model.RejectClaim) -> Claim:
    peek = await get_claim(unit, command.claim_id)
    _, request = await lock_request(unit, peek.request_id)
    claim = await get_claim(unit, command.claim_id, for_update=True)
    applied = await apply_events(
        unit, model.decide_reject_claim(claim, command), actor=command.rejected_by, request=request, claim=claim
    )
    assert applied.claim is not None
    return applied.claim


async def get_claim(unit: MdfUnit, claim_id: str, *, for_update: bool = False, partner_id: str | None = None) -> Claim:
    claim = await unit.claims.get(claim_id, for_update=for_update)
    if claim is None or (partner_id is not None and claim.partner_id != partner_id):
        raise NotFound(f"claim {claim_id} not found")
    return claim
