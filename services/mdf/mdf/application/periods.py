"""Closing a period: lapse requests, release their reservations, expire unreserved funds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from incentive_contracts.events.mdf import MdfFundsExpired, MdfRequestCancelled

from ..domain import period_close as model
from ..domain.amounts import ZERO
from ..domain.periods import Period
from .effects import apply_events
from .ports import MdfUnit


@dataclass(frozen=True)
class CloseSummary:
    period: model.PeriodState
    lapsed_requests: list[str] = field(default_factory=list)
    expired: dict[str, Decimal] = field(default_factory=dict)


async def close_period(unit: MdfUnit, command: model.ClosePeriod) -> CloseSummary:
    """One transaction; the period row is locked exclusively, so nothing else moves its funds meanwhile."""
    Period.parse(command.period)
    state = await unit.periods.lock(command.period, exclusive=True)
    requests = {r.request_id: r for r in await unit.requests.open_in_period(command.period)}
    funds = {f.key: f for f in await unit.funds.lock_period(command.period)}
    lapsed: list[str] = []
    expired: dict[str, Decimal] = defaultdict(Decimal)
    for event in model.decide_close(state, command, requests=list(requests.values()), funds=list(funds.values())):
        if isinstance(event, MdfRequestCancelled):
            request = requests[event.request_id]
            key = (request.partner_id, request.period, request.currency)
            moves_money = event.released_amount.amount > ZERO
            applied = await apply_events(
                unit, [event], actor=model.CLOSED_BY, request=request, fund=funds[key] if moves_money else None
            )
            if applied.fund is not None:
                funds[key] = applied.fund
            lapsed.append(event.request_id)
        elif isinstance(event, MdfFundsExpired):
            key = (event.partner_id, event.period, event.amount.currency)
            applied = await apply_events(unit, [event], actor=model.CLOSED_BY, fund=funds[key])
            assert applied.fund is not None
            funds[key] = applied.fund
            expired[event.amount.currency] += event.amount.amount
    closed = model.evolve_period(state, command)
    await unit.periods.save(closed)
    return CloseSummary(closed, lapsed, dict(expired))
