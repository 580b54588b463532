"""deal.* events: deal registrations and their stage gates (registration service)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from ..money import Money
from ..payload import EventPayload, WireModel
from ..registry import register, upcaster


class InfluenceKind(StrEnum):
    CO_SELLING_CALL = "co_selling_call"
    JOINT_DEMO = "joint_demo"
    CUSTOMER_REFERRAL = "customer_referral"
    TECHNICAL_WORKSHOP = "technical_workshop"


class FlagReason(StrEnum):
    REGISTRATION_VELOCITY = "registration_velocity"
    REGISTERED_AFTER_CLOSE = "registered_after_close"
    REGISTERED_NEAR_CLOSE = "registered_near_close"
    MULTI_PARTNER_CUSTOMER = "multi_partner_customer"
    SELF_DEALING = "self_dealing"
    AUDIT = "audit"  # a spot audit (governance) failed the won deal


class ConflictKind(StrEnum):
    CHANNEL = "channel_conflict"
    VENDOR_DIRECT = "vendor_direct"


class PipelineStage(StrEnum):
    """The open stages a deal moves through between approval and the close."""

    APPROVED = "approved"
    QUALIFIED = "qualified"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"


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


@register
class DealConflicted(EventPayload):
    """The registration collides with another partner's active one or a vendor-direct deal."""

    event_type = "deal.conflicted"
    version = 1

    deal_id: str
    conflicted_on: date
    kind: ConflictKind
    conflicts_with: list[str] = Field(
        min_length=1, description="deal ids it collides with; vendor-direct deals as 'direct:<id>'"
    )


@register
class DealRejected(EventPayload):
    event_type = "deal.rejected"
    version = 1

    deal_id: str
    rejected_on: date
    rejected_by: str
    reason: str = Field(min_length=1, max_length=500)


@register
class DealConflictResolved(EventPayload):
    """A manager awarded a conflict to this registration; the others named here were rejected."""

    event_type = "deal.conflict_resolved"
    version = 1

    deal_id: str
    resolved_on: date
    resolved_by: str
    rejected_deal_ids: list[str] = Field(default_factory=list)
    released_direct_deals: list[str] = Field(default_factory=list)
    note: str | None = None


@register
class DealStageChanged(EventPayload):
    event_type = "deal.stage_changed"
    version = 1

    deal_id: str
    from_stage: PipelineStage
    to_stage: PipelineStage
    changed_at: datetime
    forecast_close: date
    source: str = Field(description="'api' or 'crm:<source>'")


@register
class DealForecastChanged(EventPayload):
    """The expected amount or forecast close date of an open deal changed."""

    event_type = "deal.forecast_changed"
    version = 1

    deal_id: str
    expected_amount: Money
    expected_close: date
    changed_at: datetime


@register
class DealExpired(EventPayload):
    """An approved registration made no progress for the configured number of days."""

    event_type = "deal.expired"
    version = 1

    deal_id: str
    expired_on: date
    last_progress_on: date
    stage: PipelineStage


@register
class DealInfluenceRecorded(EventPayload):
    """Proof that the partner influenced the deal; only activities dated before the close count."""

    event_type = "deal.influence_recorded"
    version = 1

    deal_id: str
    activity_id: str
    kind: InfluenceKind
    occurred_on: date
    evidence_ref: str = Field(min_length=1, max_length=500)


@register
class DealFlagged(EventPayload):
    """An anomaly on the registration; the ledger holds the deal's rewards until it is cleared."""

    event_type = "deal.flagged"
    version = 1

    deal_id: str
    reason: FlagReason
    detail: str
    flagged_on: date


@register
class DealFlagCleared(EventPayload):
    event_type = "deal.flag_cleared"
    version = 1

    deal_id: str
    reason: FlagReason
    cleared_on: date
    cleared_by: str
    note: str | None = None


@register
class DealFlagConfirmed(EventPayload):
    """A reviewer confirmed an anomaly flag: the deal is rejected and the ledger reverses its rewards
    in full (held rebate and MDF accrual), whatever the clawback window."""

    event_type = "deal.flag_confirmed"
    version = 1

    deal_id: str
    reason: FlagReason
    confirmed_on: date
    confirmed_by: str
    note: str = Field(min_length=1, max_length=1000, description="why the reviewer confirmed the anomaly")
