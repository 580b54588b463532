"""Partner use cases: enroll, update, deactivate, read, and tiers reported by the ledger."""

from __future__ import annotations

from collections.abc import Sequence

from incentive_contracts.events.partner import PartnerTierChanged
from incentive_contracts.events.program import ProgramVersionPublished

from ..domain import partner as model
from ..domain.errors import NotFound, UnknownProgram
from .ports import Page, PartnerQuery, RegistrationUnit


async def enroll_partner(unit: RegistrationUnit, command: model.EnrollPartner, *, actor: str) -> model.Partner:
    """Enrol a partner into a program that exists (else :class:`UnknownProgram`, nothing stored)."""
    await _require_program(unit, command.program_id)
    state = await unit.partners.get(command.partner_id, for_update=True)
    return await _apply(unit, state, model.decide_enroll(state, command), actor)


async def update_partner(unit: RegistrationUnit, command: model.UpdatePartner, *, actor: str) -> model.Partner:
    state = await _existing(unit, command.partner_id)
    program_id = command.changes.get("program_id")
    if program_id is not None and program_id != state.program_id:
        await _require_program(unit, str(program_id))
    return await _apply(unit, state, model.decide_update(state, command), actor)


async def record_published_programs(unit: RegistrationUnit, published: Sequence[ProgramVersionPublished]) -> None:
    """Learn the programs the ledger published (from ``program.version_published``)."""
    await unit.programs.record_published(published)


async def _require_program(unit: RegistrationUnit, program_id: str) -> None:
    if not await unit.programs.known(program_id):
        raise UnknownProgram(program_id)


async def deactivate_partner(unit: RegistrationUnit, command: model.DeactivatePartner, *, actor: str) -> model.Partner:
    state = await _existing(unit, command.partner_id)
    return await _apply(unit, state, model.decide_deactivate(state, command), actor)


async def get_partner(unit: RegistrationUnit, partner_id: str) -> model.Partner:
    partner = await unit.partners.get(partner_id)
    if partner is None:
        raise NotFound(f"partner {partner_id} not found")
    return partner


async def list_partners(unit: RegistrationUnit, query: PartnerQuery) -> Page[model.Partner]:
    return await unit.partners.list(query)


async def apply_tier_changes(unit: RegistrationUnit, changes: Sequence[PartnerTierChanged]) -> list[PartnerTierChanged]:
    """Show the ledger's tiers; returns the changes naming partners unknown here (not applied)."""
    partners = await unit.partners.get_many({c.partner_id for c in changes})
    unknown: list[PartnerTierChanged] = []
    touched: dict[str, model.Partner] = {}
    for change in changes:
        partner = touched.get(change.partner_id) or partners.get(change.partner_id)
        if partner is None:
            unknown.append(change)
            continue
        updated = model.evolve(partner, change)
        if updated is not None and updated != partner:
            touched[change.partner_id] = updated
    for partner in touched.values():
        await unit.partners.save(partner)
    return unknown


async def _existing(unit: RegistrationUnit, partner_id: str) -> model.Partner:
    state = await unit.partners.get(partner_id, for_update=True)
    if state is None:
        raise NotFound(f"partner {partner_id} not found")
    return state


async def _apply(unit: RegistrationUnit, state: model.Partner | None, events: list, actor: str) -> model.Partner:  # type: ignore[type-arg]
    for event in events:
        state = model.evolve(state, event)
    assert state is not None
    if events:
        await unit.emit(events, actor=actor)
        await unit.partners.save(state)
    return state
