"""The dispute aggregate: opened by a partner with evidence, reviewed, escalated (on request or when
left unanswered for the configured days), and resolved in the partner's favour (with the compensation
the ledger posts) or rejected (with its reason).

decide_*(dispute, command) -> events; evolve_dispute(dispute, event) -> dispute.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from incentive_contracts.events.governance import (
    DisputeSubject,
    Evidence,
    GovernanceDisputeEscalated,
    GovernanceDisputeOpened,
    GovernanceDisputeResolved,
    GovernanceDisputeReviewStarted,
)
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload

from .errors import AlreadyExists, InvalidTransition, RuleViolation

OPEN, IN_REVIEW, RESOLVED, REJECTED = "open", "in_review", "resolved", "rejected"
ALLOWED = {
    OPEN: ["review", "escalate", "resolve", "reject"],
    IN_REVIEW: ["escalate", "resolve", "reject"],
    RESOLVED: [],
    REJECTED: [],
}


@dataclass(frozen=True)
class DisputePolicy:
    answer_days: int = 10  # unanswered this long (since opened, reviewed or escalated): escalated
    max_level: int = 2


@dataclass(frozen=True)
class Dispute:
    dispute_id: str
    partner_id: str
    subject_kind: DisputeSubject
    subject_ref: str
    description: str
    evidence: tuple[Evidence, ...]
    claimed_amount: Money | None
    opened_on: date
    opened_by: str
    status: str = OPEN
    level: int = 0
    waiting_since: date | None = None  # the last time someone answered (or the dispute was opened)
    reviewer: str | None = None
    compensation: Money | None = None
    reason: str | None = None
    resolved_on: date | None = None
    days_to_resolution: int | None = None


@dataclass(frozen=True)
class OpenDispute:
    dispute_id: str
    partner_id: str
    subject_kind: DisputeSubject
    subject_ref: str
    description: str
    evidence: tuple[Evidence, ...]
    claimed_amount: Money | None
    on: date
    by: str


@dataclass(frozen=True)
class Resolve:
    dispute_id: str
    in_partner_favour: bool
    compensation: Money | None
    reason: str
    on: date
    by: str


def _require(dispute: Dispute, action: str) -> None:
    if action not in ALLOWED[dispute.status]:
        raise InvalidTransition(f"dispute {dispute.dispute_id} is {dispute.status}", ALLOWED[dispute.status])


def decide_open(existing: Dispute | None, command: OpenDispute) -> list[EventPayload]:
    if existing is not None:
        raise AlreadyExists(f"dispute {command.dispute_id} already exists")
    return [
        GovernanceDisputeOpened(
            partner_id=command.partner_id,
            dispute_id=command.dispute_id,
            subject_kind=command.subject_kind,
            subject_ref=command.subject_ref,
            description=command.description,
            evidence=list(command.evidence),
            claimed_amount=command.claimed_amount,
            opened_on=command.on,
            opened_by=command.by,
        )
    ]


def decide_review(dispute: Dispute, reviewer: str, on: date) -> list[EventPayload]:
    _require(dispute, "review")
    return [
        GovernanceDisputeReviewStarted(
            partner_id=dispute.partner_id, dispute_id=dispute.dispute_id, reviewer=reviewer, started_on=on
        )
    ]


def decide_escalate(dispute: Dispute, by: str, on: date, policy: DisputePolicy) -> list[EventPayload]:
    """On the partner's (or a manager's) request."""
    _require(dispute, "escalate")
    if dispute.level >= policy.max_level:
        raise RuleViolation.single("max_escalation", f"the dispute is at the top level ({policy.max_level})")
    return [_escalated(dispute, "requested", by, on)]


def decide_escalate_overdue(dispute: Dispute, today: date, policy: DisputePolicy) -> list[EventPayload]:
    """Escalated when nobody answered for ``answer_days``; nothing once closed or at the top level."""
    if "escalate" not in ALLOWED[dispute.status] or dispute.level >= policy.max_level:
        return []
    since = dispute.waiting_since or dispute.opened_on
    if today < since + timedelta(days=policy.answer_days):
        return []
    return [_escalated(dispute, "overdue", "system", today)]


def _escalated(dispute: Dispute, reason: str, by: str, on: date) -> GovernanceDisputeEscalated:
    return GovernanceDisputeEscalated(
        partner_id=dispute.partner_id,
        dispute_id=dispute.dispute_id,
        level=dispute.level + 1,
        reason="requested" if reason == "requested" else "overdue",
        escalated_on=on,
        escalated_by=by,
    )


def decide_resolve(dispute: Dispute, command: Resolve) -> list[EventPayload]:
    _require(dispute, "resolve" if command.in_partner_favour else "reject")
    if command.in_partner_favour and (command.compensation is None or command.compensation.amount <= 0):
        raise RuleViolation.single(
            "compensation", "a resolution in the partner's favour carries a positive compensation"
        )
    if not command.in_partner_favour and command.compensation is not None:
        raise RuleViolation.single("compensation", "a rejection carries no compensation")
    if command.on < dispute.opened_on:
        raise RuleViolation.single("resolved_on", "a dispute cannot be resolved before it was opened")
    return [
        GovernanceDisputeResolved(
            partner_id=dispute.partner_id,
            dispute_id=dispute.dispute_id,
            subject_kind=dispute.subject_kind,
            subject_ref=dispute.subject_ref,
            outcome="partner_favour" if command.in_partner_favour else "rejected",
            compensation=command.compensation,
            reason=command.reason,
            resolved_on=command.on,
            resolved_by=command.by,
            days_to_resolution=(command.on - dispute.opened_on).days,
        )
    ]


def evolve_dispute(dispute: Dispute | None, event: EventPayload) -> Dispute:
    if isinstance(event, GovernanceDisputeOpened):
        e = event
        return Dispute(
            e.dispute_id,
            e.partner_id,
            e.subject_kind,
            e.subject_ref,
            e.description,
            tuple(e.evidence),
            e.claimed_amount,
            e.opened_on,
            e.opened_by,
            waiting_since=e.opened_on,
        )
    assert dispute is not None, f"{event.event_type} before the dispute was opened"
    if isinstance(event, GovernanceDisputeReviewStarted):
        return replace(dispute, status=IN_REVIEW, reviewer=event.reviewer, waiting_since=event.started_on)
    if isinstance(event, GovernanceDisputeEscalated):
        return replace(dispute, level=event.level, waiting_since=event.escalated_on)
    if isinstance(event, GovernanceDisputeResolved):
        return replace(
            dispute,
            status=RESOLVED if event.outcome == "partner_favour" else REJECTED,
            compensation=event.compensation,
            reason=event.reason,
            resolved_on=event.resolved_on,
            days_to_resolution=event.days_to_resolution,
        )
    raise TypeError(f"not a dispute event: {event.event_type}")
