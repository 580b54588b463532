"""Engagement activities: the commitment side of the program (reviews, plans, certifications...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from incentive_contracts.events.engagement import EngagementKind, EngagementRecorded
from incentive_contracts.payload import EventPayload

from .errors import AlreadyExists, RuleViolation
from .partner import Partner


@dataclass(frozen=True)
class Engagement:
    engagement_id: str
    partner_id: str
    kind: EngagementKind
    occurred_on: date
    evidence_ref: str


@dataclass(frozen=True)
class RecordEngagement:
    engagement_id: str
    partner_id: str
    kind: EngagementKind
    occurred_on: date
    evidence_ref: str
    today: date


def decide_record(
    partner: Partner | None, existing: Engagement | None, duplicate: Engagement | None, command: RecordEngagement
) -> list[EventPayload]:
    """``existing``: one with the same id; ``duplicate``: the same activity under another id."""
    if existing is not None:
        raise AlreadyExists(f"engagement {command.engagement_id} is already recorded")
    if partner is None or not partner.active:
        raise RuleViolation(f"partner {command.partner_id} is not an active enrolled partner")
    if command.occurred_on > command.today:
        raise RuleViolation(f"an activity cannot be dated in the future ({command.occurred_on})")
    if not command.evidence_ref.strip():
        raise RuleViolation("an activity needs an evidence reference")
    if duplicate is not None:
        raise AlreadyExists(
            f"the same {command.kind} on {command.occurred_on} is already recorded as {duplicate.engagement_id}"
        )
    return [
        EngagementRecorded(
            partner_id=command.partner_id,
            engagement_id=command.engagement_id,
            kind=command.kind,
            occurred_on=command.occurred_on,
            evidence_ref=command.evidence_ref.strip(),
        )
    ]


def evolve(event: EngagementRecorded) -> Engagement:
    return Engagement(event.engagement_id, event.partner_id, event.kind, event.occurred_on, event.evidence_ref)
