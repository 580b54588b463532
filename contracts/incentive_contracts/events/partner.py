"""partner.* events: the partner directory (registration service) and tiers (ledger)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from ..payload import EventPayload, WireModel
from ..registry import register, upcaster


class PartnerType(StrEnum):
    RESELLER = "reseller"
    SYSTEM_INTEGRATOR = "system_integrator"
    REFERRAL = "referral"
    MANAGED_SERVICE_PROVIDER = "managed_service_provider"


class Contact(WireModel):
    """A person at the partner the channel team works with."""

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    role: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=40)


@register
class PartnerEnrolledV1(EventPayload):
    """Version 1: no contacts."""

    event_type = "partner.enrolled"
    version = 1

    name: str = Field(min_length=1, max_length=200)
    partner_type: PartnerType
    region: str = Field(min_length=1, max_length=64)
    vertical: str | None = None
    domain: str | None = Field(default=None, description="primary web domain, lower case")
    program_id: str = Field(min_length=1, description="the incentive program the partner joins")
    enrolled_on: date


@register
class PartnerEnrolled(EventPayload):
    event_type = "partner.enrolled"
    version = 2

    name: str = Field(min_length=1, max_length=200)
    partner_type: PartnerType
    region: str = Field(min_length=1, max_length=64)
    vertical: str | None = None
    domain: str | None = Field(default=None, description="primary web domain, lower case")
    program_id: str = Field(min_length=1, description="the incentive program the partner joins")
    enrolled_on: date
    contacts: list[Contact] = Field(default_factory=list)


@upcaster("partner.enrolled", 1)
def _partner_enrolled_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "contacts": []}


@register
class PartnerUpdated(EventPayload):
    """A partner's attributes changed; carries the full attribute set after the change."""

    event_type = "partner.updated"
    version = 1

    name: str = Field(min_length=1, max_length=200)
    partner_type: PartnerType
    region: str = Field(min_length=1, max_length=64)
    vertical: str | None = None
    domain: str | None = None
    program_id: str = Field(min_length=1)
    contacts: list[Contact] = Field(default_factory=list)
    changed: list[str] = Field(min_length=1, description="names of the attributes that changed")
    updated_on: date


@register
class PartnerDeactivated(EventPayload):
    """The partner left the program: no new registrations or engagement from now on."""

    event_type = "partner.deactivated"
    version = 1

    deactivated_on: date
    reason: str = Field(min_length=1, max_length=500)


@register
class PartnerTierChanged(EventPayload):
    event_type = "partner.tier_changed"
    version = 1

    program_id: str
    previous_tier: str | None
    tier: str
    effective_at: date
    reason: str
    rule_version: int


@register
class PartnerNoticeAcknowledged(EventPayload):
    """A partner acknowledged the notice of an announced program version (ledger service)."""

    event_type = "partner.notice_acknowledged"
    version = 1

    program_id: str = Field(min_length=1, max_length=64)
    program_version: int = Field(ge=0)
    effective_from: date = Field(description="the day the announced version takes effect")
    acknowledged_by: str = Field(min_length=1, max_length=200, description="the token subject that acknowledged")
    acknowledged_at: datetime
