"""Proof of influence on a deal, and a manager clearing an anomaly flag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from incentive_contracts.events.deal import DealFlagCleared, DealInfluenceRecorded, FlagReason, InfluenceKind
from incentive_contracts.payload import EventPayload

from .deal import Deal
from .errors import AlreadyExists, InvalidTransition, RuleViolation


@dataclass(frozen=True)
class RecordInfluence:
    deal_id: str
    activity_id: str
    kind: InfluenceKind
    occurred_on: date
    evidence_ref: str
    today: date


@dataclass(frozen=True)
class ClearFlag:
    deal_id: str
    reason: FlagReason
    cleared_by: str
    cleared_on: date
    note: str | None = None


def decide_record_influence(deal: Deal, command: RecordInfluence) -> list[EventPayload]:
    if not deal.active:
        raise InvalidTransition(f"deal {deal.deal_id} is {deal.status}; influence is recorded only on open deals", [])
    if command.occurred_on > command.today:
        raise RuleViolation(f"an activity cannot be dated in the future ({command.occurred_on})")
    if not command.evidence_ref.strip():
        raise RuleViolation("an activity needs an evidence reference")
    for existing in deal.influence:
        if existing.activity_id == command.activity_id:
            raise AlreadyExists(f"activity {command.activity_id} is already recorded")
        if (existing.kind, existing.occurred_on, existing.evidence_ref) == (
            command.kind,
            command.occurred_on,
            command.evidence_ref.strip(),
        ):
            raise AlreadyExists(
                f"the same {command.kind} on {command.occurred_on} is already recorded as {existing.activity_id}"
            )
    return [
        DealInfluenceRecorded(
            partner_id=deal.partner_id,
            deal_id=deal.deal_id,
            activity_id=command.activity_id,
            kind=command.kind,
            occurred_on=command.occurred_on,
            evidence_ref=command.evidence_ref.strip(),
        )
    ]


def decide_clear_flag(deal: Deal, command: ClearFlag) -> list[EventPayload]:
    if not any(f.open and f.reason == command.reason for f in deal.flags):
        raise InvalidTransition(
            f"deal {deal.deal_id} has no open {command.reason} flag", [f.reason.value for f in deal.open_flags]
        )
    return [
        DealFlagCleared(
            partner_id=deal.partner_id,
            deal_id=deal.deal_id,
            reason=command.reason,
            cleared_on=command.cleared_on,
            cleared_by=command.cleared_by,
            note=(command.note or "").strip() or None,
        )
    ]
