"""The partner aggregate: decide(state, command) -> events; evolve(state, event) -> state."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from incentive_contracts.events.partner import (
    Contact,
    PartnerDeactivated,
    PartnerEnrolled,
    PartnerTierChanged,
    PartnerType,
    PartnerUpdated,
)
from incentive_contracts.payload import EventPayload

from .errors import AlreadyExists, InvalidTransition, RuleViolation
from .identity import normalize_domain

__all__ = ["Contact", "normalize_domain"]

UPDATABLE = ("name", "partner_type", "region", "vertical", "domain", "program_id", "contacts")


@dataclass(frozen=True)
class Partner:
    partner_id: str
    name: str
    partner_type: PartnerType
    region: str
    vertical: str | None
    domain: str | None
    program_id: str
    enrolled_on: date
    contacts: tuple[Contact, ...] = ()
    active: bool = True
    deactivated_on: date | None = None
    deactivation_reason: str | None = None
    tier: str | None = None
    tier_effective_at: date | None = None


@dataclass(frozen=True)
class EnrollPartner:
    partner_id: str
    name: str
    partner_type: PartnerType
    region: str
    vertical: str | None
    domain: str | None
    program_id: str
    enrolled_on: date
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True)
class UpdatePartner:
    """Only the attributes named in ``changes`` are set (a value of None clears an optional one)."""

    partner_id: str
    updated_on: date
    changes: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class DeactivatePartner:
    partner_id: str
    deactivated_on: date
    reason: str


def decide_enroll(state: Partner | None, command: EnrollPartner) -> list[EventPayload]:
    if state is not None:
        raise AlreadyExists(f"partner {command.partner_id} is already enrolled")
    return [
        PartnerEnrolled(
            partner_id=command.partner_id,
            name=command.name,
            partner_type=command.partner_type,
            region=command.region,
            vertical=command.vertical,
            domain=normalize_domain(command.domain),
            program_id=command.program_id,
            enrolled_on=command.enrolled_on,
            contacts=list(command.contacts),
        )
    ]


def decide_update(state: Partner, command: UpdatePartner) -> list[EventPayload]:
    """Emits ``partner.updated`` only when something really changes (a repeat is a no-op)."""
    if not state.active:
        raise InvalidTransition(f"partner {state.partner_id} is deactivated; it cannot be updated")
    unknown = sorted(set(command.changes) - set(UPDATABLE))
    if unknown:
        raise RuleViolation(f"not updatable: {', '.join(unknown)}")
    changes = dict(command.changes)
    if "domain" in changes:
        changes["domain"] = normalize_domain(changes["domain"])  # type: ignore[arg-type]
    if "contacts" in changes:
        changes["contacts"] = tuple(changes["contacts"])  # type: ignore[arg-type]
    changed = [name for name in UPDATABLE if name in changes and getattr(state, name) != changes[name]]
    if not changed:
        return []
    after = replace(state, **changes)  # type: ignore[arg-type]
    return [
        PartnerUpdated(
            partner_id=state.partner_id,
            name=after.name,
            partner_type=after.partner_type,
            region=after.region,
            vertical=after.vertical,
            domain=after.domain,
            program_id=after.program_id,
            contacts=list(after.contacts),
            changed=changed,
            updated_on=command.updated_on,
        )
    ]


def decide_deactivate(state: Partner, command: DeactivatePartner) -> list[EventPayload]:
    if not state.active:
        raise InvalidTransition(f"partner {state.partner_id} is already deactivated")
    return [
        PartnerDeactivated(partner_id=state.partner_id, deactivated_on=command.deactivated_on, reason=command.reason)
    ]


def tier_applies(state: Partner, event: PartnerTierChanged) -> bool:
    """A tier change older than the one shown (by effective date) never overwrites it."""
    return state.tier_effective_at is None or event.effective_at >= state.tier_effective_at


def evolve(state: Partner | None, event: EventPayload) -> Partner | None:
    if isinstance(event, PartnerEnrolled):
        return Partner(
            partner_id=event.partner_id,
            name=event.name,
            partner_type=event.partner_type,
            region=event.region,
            vertical=event.vertical,
            domain=event.domain,
            program_id=event.program_id,
            enrolled_on=event.enrolled_on,
            contacts=tuple(event.contacts),
        )
    if state is None:
        return None
    if isinstance(event, PartnerUpdated):
        return replace(
            state,
            name=event.name,
            partner_type=event.partner_type,
            region=event.region,
            vertical=event.vertical,
            domain=event.domain,
            program_id=event.program_id,
            contacts=tuple(event.contacts),
        )
    if isinstance(event, PartnerDeactivated):
        return replace(state, active=False, deactivated_on=event.deactivated_on, deactivation_reason=event.reason)
    if isinstance(event, PartnerTierChanged):
        return (
            replace(state, tier=event.tier, tier_effective_at=event.effective_at)
            if tier_applies(state, event)
            else state
        )
    return state
