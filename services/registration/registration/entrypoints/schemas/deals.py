"""Deal bodies."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from incentive_contracts.dates import BusinessDate, BusinessDateTime
from incentive_contracts.events.deal import FlagReason, InfluenceKind
from incentive_contracts.money import Money
from pydantic import BaseModel, Field, PlainSerializer
from servicekit.viewer import OptionalActorName, OtherPartiesRefs, is_partner_viewer, partner_safe

from ...application.ports import HistoryEntry
from ...domain.deal import Deal, Stage
from ...domain.stages import allowed_moves
from .common import ID_PATTERN, Body, OptionalText, new_id


class RegisterDealBody(Body):
    deal_id: str = Field(default_factory=lambda: new_id("d"), min_length=1, max_length=64, pattern=ID_PATTERN)
    partner_id: str = Field(min_length=1, max_length=64)
    customer_name: str = Field(min_length=1, max_length=200)
    customer_domain: OptionalText = Field(default=None, max_length=253)
    product_line: str = Field(min_length=1, max_length=64)
    expected_amount: Money
    expected_close: BusinessDate
    registered_on: BusinessDate | None = Field(
        default=None, description="managers and imports only; partners register today"
    )


class BulkRegisterBody(Body):
    deals: list[RegisterDealBody] = Field(min_length=1, max_length=5000)


class DecisionBody(Body):
    note: OptionalText = Field(default=None, max_length=500)


class RejectBody(Body):
    reason: str = Field(min_length=1, max_length=500)


class StageBody(Body):
    stage: Stage
    forecast_close: BusinessDate | None = None
    changed_at: BusinessDateTime | None = None


class WinBody(Body):
    amount: Money
    closed_on: BusinessDate


class LoseBody(Body):
    lost_on: BusinessDate | None = None
    reason: OptionalText = Field(default=None, max_length=500)


class ReversalKind(StrEnum):
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class ReversalBody(Body):
    kind: ReversalKind
    reason: str = Field(min_length=1, max_length=400)
    amount: Money | None = Field(default=None, description="omit to reverse everything not yet reversed")
    reversed_on: BusinessDate | None = None


class ForecastBody(Body):
    expected_amount: Money | None = None
    expected_close: BusinessDate | None = None


class InfluenceBody(Body):
    activity_id: str = Field(default_factory=lambda: new_id("act"), min_length=1, max_length=64, pattern=ID_PATTERN)
    kind: InfluenceKind
    occurred_on: BusinessDate
    evidence_ref: str = Field(min_length=1, max_length=500)


class ClearFlagBody(Body):
    note: OptionalText = Field(default=None, max_length=500)


class ConfirmFlagBody(Body):
    note: str = Field(min_length=1, max_length=1000, description="why the anomaly is confirmed (required)")


class ExpireBody(Body):
    as_of: BusinessDate


class DirectDealBody(Body):
    direct_deal_id: str = Field(default_factory=lambda: new_id("dd"), min_length=1, max_length=64, pattern=ID_PATTERN)
    customer_name: str = Field(min_length=1, max_length=200)
    customer_domain: OptionalText = Field(default=None, max_length=253)
    product_line: str = Field(min_length=1, max_length=64)
    registered_on: BusinessDate | None = None
    note: OptionalText = Field(default=None, max_length=500)


AWARDED_ELSEWHERE = "conflict awarded to deal "


def _reason_for_viewer(reason: str | None) -> str | None:
    """A registration lost to a rival: partners learn that, not which deal won (nor the manager's note)."""
    if reason is not None and reason.startswith(AWARDED_ELSEWHERE) and is_partner_viewer():
        return "conflict awarded to another registration"
    return reason


def _history_for_viewer(data: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = partner_safe(data)
    if isinstance(shown.get("reason"), str):
        shown["reason"] = _reason_for_viewer(shown["reason"])
    if is_partner_viewer() and shown.get("rejected_deal_ids") == [] and "note" in shown:
        shown["note"] = None  # a conflict award's note may name the rival
    return shown


RejectionReason = Annotated[str | None, PlainSerializer(_reason_for_viewer, return_type=str | None)]
HistoryData = Annotated[dict[str, Any], PlainSerializer(_history_for_viewer, return_type=dict[str, Any])]


class FlagOut(BaseModel):
    reason: FlagReason
    detail: str
    flagged_on: date
    cleared_on: date | None
    cleared_by: OptionalActorName
    confirmed_on: date | None = None
    confirmed_by: OptionalActorName = None


class InfluenceOut(BaseModel):
    activity_id: str
    kind: InfluenceKind
    occurred_on: date
    evidence_ref: str


class DealOut(BaseModel):
    deal_id: str
    partner_id: str
    customer_name: str
    customer_domain: str | None
    product_line: str
    expected_amount: Money
    expected_close: date = Field(description="the forecast close date")
    registered_on: date
    status: str
    stage: str
    approved_on: date | None
    approved_by: OptionalActorName
    conflict_kind: str | None
    conflicts_with: OtherPartiesRefs = Field(description="the rival registrations' ids (empty for partner callers)")
    conflict_count: int = Field(description="how many registrations or direct deals this one conflicts with")
    last_progress_on: date | None
    final_amount: Money | None
    closed_on: date | None
    lost_reason: str | None
    rejection_reason: RejectionReason
    reversed_amount: Decimal
    flagged: bool
    flags: list[FlagOut]
    influence: list[InfluenceOut]
    allowed_next: list[str]

    @classmethod
    def of(cls, deal: Deal) -> DealOut:
        return cls(
            **{
                **deal.__dict__,
                "status": deal.status.value,
                "stage": deal.stage.value,
                "conflict_kind": deal.conflict_kind.value if deal.conflict_kind else None,
                "conflicts_with": list(deal.conflicts_with),
                "conflict_count": len(deal.conflicts_with),
                "flags": [FlagOut(**f.__dict__) for f in deal.flags],
                "influence": [InfluenceOut(**a.__dict__) for a in deal.influence],
                "flagged": deal.flagged,
                "allowed_next": allowed_moves(deal),
            }
        )


class HistoryOut(BaseModel):
    event_id: str
    type: str
    at: datetime
    actor: OptionalActorName
    data: HistoryData

    @classmethod
    def of(cls, entry: HistoryEntry) -> HistoryOut:
        return cls(
            event_id=entry.event_id, type=entry.event_type, at=entry.occurred_at, actor=entry.actor, data=entry.data
        )


class DealDetailOut(DealOut):
    history: list[HistoryOut]


class BulkItemOut(BaseModel):
    deal_id: str
    status: str
    conflicts_with: OtherPartiesRefs
    conflict_count: int
    flags: list[FlagReason]


class BulkOut(BaseModel):
    registered: int
    by_status: dict[str, int]
    deals: list[BulkItemOut] = Field(description="in request order; GET /deals/{id} has the rest")


class DirectDealOut(BaseModel):
    direct_deal_id: str
    customer_domain: str | None
    customer_name_key: str
    product_line: str
    registered_on: date
    active: bool
