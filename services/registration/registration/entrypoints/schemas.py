"""Request and response bodies of the registration API."""

from __future__ import annotations

import uuid
from datetime import date

from incentive_contracts.events.partner import PartnerType
from incentive_contracts.money import Money
from pydantic import BaseModel, ConfigDict, Field

from ..domain.deal import Deal
from ..domain.partner import Partner


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnrollPartnerBody(Body):
    partner_id: str = Field(default_factory=lambda: f"p-{uuid.uuid4().hex[:12]}", min_length=1, max_length=64,
                            pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    partner_type: PartnerType
    region: str = Field(min_length=1, max_length=64)
    vertical: str | None = Field(default=None, max_length=64)
    domain: str | None = Field(default=None, max_length=253)
    program_id: str = Field(default="default", min_length=1, max_length=64)
    enrolled_on: date | None = None


class PartnerOut(BaseModel):
    partner_id: str
    name: str
    partner_type: PartnerType
    region: str
    vertical: str | None
    domain: str | None
    program_id: str
    enrolled_on: date
    active: bool
    tier: str | None

    @classmethod
    def of(cls, partner: Partner) -> PartnerOut:
        return cls(**partner.__dict__)


class RegisterDealBody(Body):
    deal_id: str = Field(default_factory=lambda: f"d-{uuid.uuid4().hex[:12]}", min_length=1, max_length=64,
                         pattern=r"^[A-Za-z0-9._-]+$")
    partner_id: str = Field(min_length=1, max_length=64)
    customer_name: str = Field(min_length=1, max_length=200)
    customer_domain: str | None = Field(default=None, max_length=253)
    product_line: str = Field(min_length=1, max_length=64)
    expected_amount: Money
    expected_close: date
    registered_on: date | None = None


class WinDealBody(Body):
    amount: Money
    closed_on: date


class DealOut(BaseModel):
    deal_id: str
    partner_id: str
    customer_name: str
    customer_domain: str | None
    product_line: str
    expected_amount: Money
    expected_close: date
    registered_on: date
    stage: str
    final_amount: Money | None
    closed_on: date | None

    @classmethod
    def of(cls, deal: Deal) -> DealOut:
        return cls(**{**deal.__dict__, "stage": deal.stage.value})
