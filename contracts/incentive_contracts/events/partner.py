"""partner.* events: the partner directory (registration service) and tiers (ledger)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from ..payload import EventPayload
from ..registry import register


class PartnerType(StrEnum):
    RESELLER = "reseller"
    SYSTEM_INTEGRATOR = "system_integrator"
    REFERRAL = "referral"
    MANAGED_SERVICE_PROVIDER = "managed_service_provider"


@register
class PartnerEnrolled(EventPayload):
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
class PartnerTierChanged(EventPayload):
    event_type = "partner.tier_changed"
    version = 1

    program_id: str
    previous_tier: str | None
    tier: str
    effective_at: date
    reason: str
    rule_version: int
