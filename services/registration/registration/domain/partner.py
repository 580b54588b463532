"""The partner aggregate: decide(state, command) -> events; evolve(state, event) -> state."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from incentive_contracts.events.partner import PartnerEnrolled, PartnerType
from incentive_contracts.payload import EventPayload

from .errors import AlreadyExists


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
    active: bool = True
    tier: str | None = None


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


def normalize_domain(domain: str | None) -> str | None:
    if domain is None:
        return None
    cleaned = domain.strip().lower().removeprefix("https://").removeprefix("http://").removeprefix("www.")
    return cleaned.split("/")[0] or None


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
        )
    ]


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
        )
    if state is None:
        return None
    return replace(state)
