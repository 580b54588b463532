"""The partners the mdf service knows: registration's partner.enrolled / updated / deactivated.

Money is only allocated to (and requested for) a partner the mdf service knows; a ledger fact
about a partner whose enrolment has not arrived yet waits for it (the consumer parks it), since
the registration and ledger topics are not ordered with each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from incentive_contracts.events.partner import PartnerDeactivated, PartnerEnrolled, PartnerUpdated
from incentive_contracts.payload import EventPayload

from ..domain.errors import RuleViolation, Violation

PARTNER_EVENTS = (PartnerEnrolled, PartnerUpdated, PartnerDeactivated)


@dataclass(frozen=True)
class KnownPartner:
    partner_id: str
    name: str
    program_id: str
    active: bool
    enrolled_on: date


class PartnerDirectory(Protocol):
    async def enrol(self, partner: KnownPartner) -> None:
        """Insert or replace the partner (active)."""
        ...

    async def update(self, partner_id: str, name: str, program_id: str) -> bool:
        """False when the partner is not known."""
        ...

    async def deactivate(self, partner_id: str, on: date) -> bool:
        """False when the partner is not known."""
        ...

    async def known(self, partner_ids: Sequence[str]) -> set[str]: ...


class UnknownPartner(RuleViolation):
    """An allocation or request for a partner the mdf service does not know (HTTP 422 naming partner_id)."""

    def __init__(self, partner_id: str) -> None:
        message = f"partner_id: partner {partner_id} is not known to the mdf service (not enrolled, or not yet)"
        super().__init__([Violation("unknown_partner", message)])
        self.problem_extra["errors"] = [{"location": "body.partner_id", "message": message}]


@dataclass(frozen=True)
class Waiting:
    """A partner event that came before the partner's enrolment (applied once it arrives)."""

    index: int
    partner_id: str


async def apply_partner_events(directory: PartnerDirectory, payloads: Sequence[EventPayload]) -> list[Waiting]:
    """Record the batch's partner events in order; returns those whose partner is not known yet."""
    waiting: list[Waiting] = []
    for index, payload in enumerate(payloads):
        if isinstance(payload, PartnerEnrolled):
            await directory.enrol(
                KnownPartner(payload.partner_id, payload.name, payload.program_id, True, payload.enrolled_on)
            )
        elif isinstance(payload, PartnerUpdated):
            if not await directory.update(payload.partner_id, payload.name, payload.program_id):
                waiting.append(Waiting(index, payload.partner_id))
        elif isinstance(payload, PartnerDeactivated) and not await directory.deactivate(
            payload.partner_id, payload.deactivated_on
        ):
            waiting.append(Waiting(index, payload.partner_id))
    return waiting


async def require_known(directory: PartnerDirectory, partner_id: str) -> None:
    if partner_id not in await directory.known([partner_id]):
        raise UnknownPartner(partner_id)
