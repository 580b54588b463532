"""Partner use cases."""

from __future__ import annotations

from ..domain import partner as model
from ..domain.errors import NotFound
from .ports import RegistrationUnit


async def enroll_partner(unit: RegistrationUnit, command: model.EnrollPartner) -> model.Partner:
    state = await unit.partners.get(command.partner_id, for_update=True)
    events = model.decide_enroll(state, command)
    now = unit.clock.now()
    for event in events:
        state = model.evolve(state, event)
        unit.publish(event, time=now)
    assert state is not None
    await unit.partners.save(state)
    return state


async def get_partner(unit: RegistrationUnit, partner_id: str) -> model.Partner:
    partner = await unit.partners.get(partner_id)
    if partner is None:
        raise NotFound(f"partner {partner_id} not found")
    return partner
