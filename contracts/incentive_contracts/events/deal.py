"""deal.* events: deal registrations and their stage gates (registration service)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from ..money import Money
from ..payload import EventPayload, WireModel
from ..registry import register, upcaster


class InfluenceActivity(WireModel):
    """A proof-of-influence activity on a deal (co-selling call, joint demo, referral...)."""

    kind: str = Field(min_length=1, max_length=64)
    occurred_on: date
    evidence_ref: str = Field(min_length=1, max_length=500)


@register
class DealRegistered(EventPayload):
    event_type = "deal.registered"
    version = 1

    deal_id: str
    customer_name: str
    customer_domain: str | None = None
    product_line: str
    expected_amount: Money
    expected_close: date
    registered_on: date


@register
class DealApproved(EventPayload):
    event_type = "deal.approved"
    version = 1

    deal_id: str
    approved_on: date
    approved_by: str = Field(description="'auto' or the approving manager")


@register
class DealWonV1(EventPayload):
    """Version 1: amount and currency as separate fields, no influence evidence."""

    event_type = "deal.won"
    version = 1

    deal_id: str
    product_line: str
    amount: str
    currency: str
    closed_on: date


@register
class DealWon(EventPayload):
    event_type = "deal.won"
    version = 2

    deal_id: str
    product_line: str
    amount: Money
    closed_on: date
    registered: bool = Field(description="registered and approved before the close")
    influence: list[InfluenceActivity] = Field(default_factory=list)


@upcaster("deal.won", 1)
def _deal_won_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    upcast = {k: v for k, v in data.items() if k not in ("amount", "currency")}
    upcast["amount"] = {"amount": data["amount"], "currency": data["currency"]}
    upcast["registered"] = True
    upcast["influence"] = []
    return upcast


@register
class DealLost(EventPayload):
    event_type = "deal.lost"
    version = 1

    deal_id: str
    lost_on: date
    reason: str | None = None


@register
class DealReversed(EventPayload):
    """A won deal cancelled or refunded, fully or partly (``amount`` is what was reversed)."""

    event_type = "deal.reversed"
    version = 1

    deal_id: str
    reversed_on: date
    amount: Money
    full: bool
    reason: str
