"""The deal-registration aggregate: its state, and evolve(state, event) -> state.

The decisions live beside it (registration.py, approval.py, stages.py, flags.py); every state
change is an event, so a deal's state is exactly the fold of its history.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from incentive_contracts.events.deal import (
    ConflictKind,
    DealApproved,
    DealConflicted,
    DealConflictResolved,
    DealExpired,
    DealFlagCleared,
    DealFlagConfirmed,
    DealFlagged,
    DealForecastChanged,
    DealInfluenceRecorded,
    DealLost,
    DealRegistered,
    DealRejected,
    DealReversed,
    DealStageChanged,
    DealWon,
    FlagReason,
    InfluenceKind,
)
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload

from .identity import CustomerIdentity, normalize_product_line


class Stage(StrEnum):
    """Where the sale stands."""

    REGISTERED = "registered"
    APPROVED = "approved"
    QUALIFIED = "qualified"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    WON = "won"
    LOST = "lost"


class Status(StrEnum):
    """Where the registration stands."""

    PENDING = "pending"
    CONFLICT = "conflict"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    WON = "won"
    LOST = "lost"
    REVERSED = "reversed"


ACTIVE_STATUSES = frozenset({Status.PENDING, Status.CONFLICT, Status.APPROVED})
OPEN_STAGES = (Stage.APPROVED, Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION)


@dataclass(frozen=True)
class Flag:
    reason: FlagReason
    detail: str
    flagged_on: date
    cleared_on: date | None = None
    cleared_by: str | None = None
    confirmed_on: date | None = None  # a reviewer confirmed the anomaly: the deal was rejected
    confirmed_by: str | None = None

    @property
    def open(self) -> bool:
        return self.cleared_on is None and self.confirmed_on is None


@dataclass(frozen=True)
class Influence:
    activity_id: str
    kind: InfluenceKind
    occurred_on: date
    evidence_ref: str


@dataclass(frozen=True)
class Deal:
    deal_id: str
    partner_id: str
    customer_name: str
    customer_domain: str | None
    product_line: str
    expected_amount: Money
    expected_close: date
    registered_on: date
    status: Status = Status.PENDING
    stage: Stage = Stage.REGISTERED
    approved_on: date | None = None
    approved_by: str | None = None
    conflict_kind: ConflictKind | None = None
    conflicts_with: tuple[str, ...] = ()
    last_progress_on: date | None = None
    final_amount: Money | None = None
    closed_on: date | None = None
    lost_reason: str | None = None
    rejection_reason: str | None = None
    reversed_amount: Decimal = Decimal(0)
    flags: tuple[Flag, ...] = ()
    influence: tuple[Influence, ...] = ()

    @property
    def identity(self) -> CustomerIdentity:
        return CustomerIdentity.of(self.customer_name, self.customer_domain)

    @property
    def product_key(self) -> str:
        return normalize_product_line(self.product_line)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def flagged(self) -> bool:
        return any(f.open for f in self.flags)

    @property
    def open_flags(self) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.open)

    def ever_flagged(self, reason: FlagReason) -> bool:
        return any(f.reason == reason for f in self.flags)


_DEAL_FIELDS = tuple(f.name for f in fields(Deal))
_DEAL_FIELD_SET = frozenset(_DEAL_FIELDS)


def _changed(state: Deal, **changes: Any) -> Deal:
    """``dataclasses.replace(state, **changes)`` for a Deal, without re-running ``__init__`` (which only
    assigns the fields): a bulk registration folds thousands of deals, and replace was most of it."""
    unknown = changes.keys() - _DEAL_FIELD_SET
    if unknown:
        raise TypeError(f"Deal has no field(s) {sorted(unknown)}")
    new = object.__new__(Deal)
    values = new.__dict__
    current = state.__dict__
    for name in _DEAL_FIELDS:
        values[name] = current[name]
    values.update(changes)
    return new


def evolve(state: Deal | None, event: EventPayload) -> Deal | None:
    if isinstance(event, DealRegistered):
        return _registered(event)
    if state is None:
        return None
    if isinstance(event, DealFlagged | DealFlagCleared | DealFlagConfirmed):
        return _flag_changed(state, event)
    if isinstance(event, DealConflicted):
        return _changed(
            state, status=Status.CONFLICT, conflict_kind=event.kind, conflicts_with=tuple(event.conflicts_with)
        )
    if isinstance(event, DealConflictResolved):
        return _changed(state, conflict_kind=None, conflicts_with=())
    if isinstance(event, DealApproved):
        return _changed(
            state,
            status=Status.APPROVED,
            stage=Stage.APPROVED,
            approved_on=event.approved_on,
            approved_by=event.approved_by,
            last_progress_on=event.approved_on,
        )
    if isinstance(event, DealRejected):
        return _changed(state, status=Status.REJECTED, rejection_reason=event.reason)
    if isinstance(event, DealStageChanged):
        return _changed(
            state,
            stage=Stage(event.to_stage.value),
            expected_close=event.forecast_close,
            last_progress_on=event.changed_at.date(),
        )
    if isinstance(event, DealForecastChanged):
        return _changed(state, expected_amount=event.expected_amount, expected_close=event.expected_close)
    if isinstance(event, DealWon):
        return _changed(state, status=Status.WON, stage=Stage.WON, final_amount=event.amount, closed_on=event.closed_on)
    if isinstance(event, DealLost):
        return _changed(state, status=Status.LOST, stage=Stage.LOST, lost_reason=event.reason, closed_on=event.lost_on)
    if isinstance(event, DealReversed):
        return _changed(
            state,
            reversed_amount=state.reversed_amount + event.amount.amount,
            status=Status.REVERSED if event.full else state.status,
        )
    if isinstance(event, DealExpired):
        return _changed(state, status=Status.EXPIRED)
    if isinstance(event, DealInfluenceRecorded):
        activity = Influence(event.activity_id, event.kind, event.occurred_on, event.evidence_ref)
        return _changed(state, influence=(*state.influence, activity))
    return state


def _registered(event: DealRegistered) -> Deal:
    return Deal(
        deal_id=event.deal_id,
        partner_id=event.partner_id,
        customer_name=event.customer_name,
        customer_domain=event.customer_domain,
        product_line=event.product_line,
        expected_amount=event.expected_amount,
        expected_close=event.expected_close,
        registered_on=event.registered_on,
        last_progress_on=event.registered_on,
    )


def _flag_changed(state: Deal, event: DealFlagged | DealFlagCleared | DealFlagConfirmed) -> Deal:
    """A flag raised, cleared or confirmed (a confirmed flag rejects the deal)."""
    if isinstance(event, DealFlagged):
        return _changed(state, flags=(*state.flags, Flag(event.reason, event.detail, event.flagged_on)))
    if isinstance(event, DealFlagCleared):
        flags = tuple(
            replace(f, cleared_on=event.cleared_on, cleared_by=event.cleared_by)
            if f.reason == event.reason and f.open
            else f
            for f in state.flags
        )
        return _changed(state, flags=flags)
    flags = tuple(
        replace(f, confirmed_on=event.confirmed_on, confirmed_by=event.confirmed_by)
        if f.reason == event.reason and f.open
        else f
        for f in state.flags
    )
    reason = f"flag {event.reason.value} confirmed by {event.confirmed_by}: {event.note}"
    return _changed(state, flags=flags, status=Status.REJECTED, rejection_reason=reason)


def fold(events: list[EventPayload], state: Deal | None = None) -> Deal | None:
    for event in events:
        state = evolve(state, event)
    return state
