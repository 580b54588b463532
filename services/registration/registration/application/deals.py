"""Deal-registration use cases."""

from __future__ import annotations

from ..domain import deal as model
from ..domain.errors import NotFound, RuleViolation
from .ports import RegistrationUnit


async def register_deal(unit: RegistrationUnit, command: model.RegisterDeal) -> model.Deal:
    partner = await unit.partners.get(command.partner_id)
    if partner is None or not partner.active:
        raise RuleViolation(f"partner {command.partner_id} is not an active enrolled partner")
    state = await unit.deals.get(command.deal_id, for_update=True)
    events = model.decide_register(state, command)
    return await _apply(unit, state, events)


async def win_deal(unit: RegistrationUnit, command: model.WinDeal) -> model.Deal:
    state = await unit.deals.get(command.deal_id, for_update=True)
    if state is None:
        raise NotFound(f"deal {command.deal_id} not found")
    return await _apply(unit, state, model.decide_win(state, command))


async def get_deal(unit: RegistrationUnit, deal_id: str) -> model.Deal:
    deal = await unit.deals.get(deal_id)
    if deal is None:
        raise NotFound(f"deal {deal_id} not found")
    return deal


async def _apply(unit: RegistrationUnit, state: model.Deal | None, events: list) -> model.Deal:  # type: ignore[type-arg]
    now = unit.clock.now()
    for event in events:
        state = model.evolve(state, event)
        unit.publish(event, time=now)
    assert state is not None
    await unit.deals.save(state)
    return state
