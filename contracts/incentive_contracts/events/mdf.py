"""mdf.* events: market development funds (mdf service)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from ..money import Money
from ..payload import EventPayload
from ..registry import register


@register
class MdfAllocated(EventPayload):
    event_type = "mdf.allocated"
    version = 1

    allocation_id: str
    period: str = Field(pattern=r"^[0-9]{4}-Q[1-4]$")
    amount: Money
    allocated_on: date


@register
class MdfClaimApproved(EventPayload):
    event_type = "mdf.claim_approved"
    version = 1

    claim_id: str
    request_id: str
    period: str = Field(pattern=r"^[0-9]{4}-Q[1-4]$")
    approved_amount: Money
    approved_on: date
