"""Partner bodies."""

from __future__ import annotations

from datetime import date

from incentive_contracts.dates import BusinessDate
from incentive_contracts.events.partner import Contact, PartnerType
from pydantic import BaseModel, Field, field_validator

from ...domain.partner import Partner
from .common import ID_PATTERN, Body, OptionalText, new_id


class EnrollPartnerBody(Body):
    partner_id: str = Field(default_factory=lambda: new_id("p"), min_length=1, max_length=64, pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    partner_type: PartnerType
    region: str = Field(min_length=1, max_length=64)
    vertical: OptionalText = Field(default=None, max_length=64)
    domain: OptionalText = Field(default=None, max_length=253)
    program_id: str = Field(default="default", min_length=1, max_length=64)
    contacts: list[Contact] = Field(default_factory=list, max_length=50)
    enrolled_on: BusinessDate | None = None


class UpdatePartnerBody(Body):
    """Only the attributes present are changed; null clears vertical or domain."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    partner_type: PartnerType | None = None
    region: str | None = Field(default=None, min_length=1, max_length=64)
    vertical: OptionalText = Field(default=None, max_length=64)
    domain: OptionalText = Field(default=None, max_length=253)
    program_id: str | None = Field(default=None, min_length=1, max_length=64)
    contacts: list[Contact] | None = Field(default=None, max_length=50)

    @field_validator("name", "partner_type", "region", "program_id", "contacts")
    @classmethod
    def _not_null(cls, value: object) -> object:
        """Only vertical and domain can be cleared; null elsewhere is an error, not "unchanged"."""
        if value is None:
            raise ValueError("cannot be null: omit it to keep the current value")
        return value


class DeactivatePartnerBody(Body):
    reason: str = Field(min_length=1, max_length=500)
    deactivated_on: BusinessDate | None = None


class PartnerOut(BaseModel):
    partner_id: str
    name: str
    partner_type: PartnerType
    region: str
    vertical: str | None
    domain: str | None
    program_id: str
    enrolled_on: date
    contacts: list[Contact]
    active: bool
    deactivated_on: date | None
    deactivation_reason: str | None
    tier: str | None = Field(description="as last reported by the ledger (partner.tier_changed)")
    tier_effective_at: date | None

    @classmethod
    def of(cls, partner: Partner) -> PartnerOut:
        return cls(**{**partner.__dict__, "contacts": list(partner.contacts)})
