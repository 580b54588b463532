"""Spot audits from governance: a failed MDF claim gives back what it was paid and still holds.

Consumed from ``incentives.governance``; only ``audit_item_failed`` with item kind ``mdf_claim``
concerns the mdf service. The claim must be one the service holds for the partner named; otherwise the
event is refused (dead-lettered with the reason).
"""

from __future__ import annotations

from incentive_contracts.events.governance import GovernanceAuditItemFailed

from ..domain.audit import FailClaimAudit, decide_fail_claim_audit
from ..domain.claim import Claim
from ..domain.errors import NotFound
from .claims import get_claim
from .effects import apply_events
from .ports import MdfUnit
from .requests import lock_request

AUDITED_KIND = "mdf_claim"


def concerns_mdf(event: object) -> bool:
    return isinstance(event, GovernanceAuditItemFailed) and event.item_kind == AUDITED_KIND


async def fail_claim_audit(unit: MdfUnit, failed: GovernanceAuditItemFailed) -> Claim:
    """Apply a failed audit of a claim: reject it if pending, release and recover (see domain.audit)."""
    peek = await get_claim(unit, failed.item_id, partner_id=failed.partner_id)
    period, request = await lock_request(unit, peek.request_id)
    claim = await get_claim(unit, failed.item_id, for_update=True)
    fund = await unit.funds.lock(request.partner_id, request.period, request.currency)
    command = FailClaimAudit(
        claim_id=claim.claim_id,
        audit_period=failed.audit_period,
        reason=failed.reason,
        failed_on=failed.failed_on,
        failed_by=failed.failed_by,
    )
    applied = await apply_events(
        unit,
        decide_fail_claim_audit(claim, request, command),
        actor=f"audit:{failed.failed_by}",
        request=request,
        claim=claim,
        fund=fund,
        period_closed=period.closed,
    )
    if applied.claim is None:
        raise NotFound(f"claim {failed.item_id} not found")
    return applied.claim
