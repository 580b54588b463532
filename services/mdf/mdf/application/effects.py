"""Applying decided events: fold them into the request, claim and fund, keep the history, stage
them for the outbox, and expire money released into a period that is already closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from incentive_contracts.events.mdf import MdfAllocated, MdfDisbursed, MdfFundsExpired, MdfResultsReported
from incentive_contracts.payload import EventPayload

from ..domain.claim import Claim, evolve_claim
from ..domain.fund import Fund, evolve_fund
from ..domain.period_close import expire_unreserved
from ..domain.request import MdfRequest, evolve_request
from .ports import MdfUnit


@dataclass(frozen=True)
class Applied:
    request: MdfRequest | None
    claim: Claim | None
    fund: Fund | None
    events: list[EventPayload]


async def apply_events(
    unit: MdfUnit,
    events: Sequence[EventPayload],
    *,
    actor: str,
    request: MdfRequest | None = None,
    claim: Claim | None = None,
    fund: Fund | None = None,
    period_closed: bool = False,
) -> Applied:
    """Fold, record, publish and save; the caller holds the locks on what it passes in."""
    now = unit.clock.now()
    applied = list(events)
    new_request, new_claim = request is None, claim is None
    for event in events:
        if fund is not None:
            fund = evolve_fund(fund, event)
        request = evolve_request(request, event)
        claim = evolve_claim(claim, event)
        await _record(unit, event, actor)
        unit.publish(event, time=now)
    if period_closed and fund is not None:
        for expired in expire_unreserved(fund, reason=f"released after period {fund.period} closed", on=now.date()):
            fund = evolve_fund(fund, expired)
            await _record(unit, expired, actor)
            unit.publish(expired, time=now)
            applied.append(expired)
    if request is not None:
        await (unit.requests.add(request) if new_request else unit.requests.save(request))
    if claim is not None:
        await (unit.claims.add(claim) if new_claim else unit.claims.save(claim))
    if fund is not None:
        await unit.funds.save(fund)
    return Applied(request, claim, fund, applied)


async def _record(unit: MdfUnit, event: EventPayload, actor: str) -> None:
    if isinstance(event, MdfAllocated):
        await unit.history.allocation(event, by=actor)
    elif isinstance(event, MdfDisbursed):
        await unit.history.disbursement(event)
    elif isinstance(event, MdfFundsExpired):
        await unit.history.expiry(event)
    elif isinstance(event, MdfResultsReported):
        await unit.history.results(event, by=actor)
