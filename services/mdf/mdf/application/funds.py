"""Program budgets and allocations."""

from __future__ import annotations

from ..domain import budget as model
from ..domain.fund import Fund
from .effects import apply_events
from .partner_directory import require_known
from .ports import MdfUnit


async def set_budget(unit: MdfUnit, command: model.SetBudget) -> model.ProgramBudget:
    period = await unit.periods.lock(command.period)
    state = await unit.budgets.get(command.period, command.amount.currency, for_update=True)
    budget = model.decide_set_budget(state, command, closed=period.closed)
    await unit.budgets.save(budget)
    return budget


async def allocate(unit: MdfUnit, command: model.Allocate, *, by: str) -> Fund:
    """Allocate within the program budget; budget and fund rows are locked for the whole unit. Only to a
    partner the mdf service knows (UnknownPartner, 422, otherwise)."""
    await require_known(unit.partners, command.partner_id)
    period = await unit.periods.lock(command.period)
    budget = await unit.budgets.get(command.period, command.amount.currency, for_update=True)
    events = model.decide_allocate(budget, command, closed=period.closed)
    assert budget is not None  # decide_allocate refuses a missing budget
    for event in events:
        budget = model.evolve_budget(budget, event)
    await unit.budgets.save(budget)
    fund = await unit.funds.lock(command.partner_id, command.period, command.amount.currency)
    applied = await apply_events(unit, events, actor=by, fund=fund)
    assert applied.fund is not None
    return applied.fund
