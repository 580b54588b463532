"""Manual approval and rejection, and a manager awarding a conflict to one registration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from incentive_contracts.events.deal import DealApproved, DealConflictResolved, DealRejected
from incentive_contracts.payload import EventPayload

from .deal import Deal, Status
from .errors import InvalidTransition, RuleViolation
from .identity import normalize_product_line
from .registration import DirectDeal, within


@dataclass(frozen=True)
class Decision:
    deal_id: str
    by: str
    on: date
    reason: str | None = None


def decide_approve(deal: Deal, command: Decision) -> list[EventPayload]:
    if deal.status != Status.PENDING:
        allowed = ["award", "reject"] if deal.status == Status.CONFLICT else []
        raise InvalidTransition(
            f"deal {deal.deal_id} is {deal.status}; only pending registrations are approved", allowed
        )
    if deal.flagged:
        raise RuleViolation(
            f"deal {deal.deal_id} has open flags ({', '.join(f.reason for f in deal.open_flags)}); clear them first"
        )
    return [
        DealApproved(partner_id=deal.partner_id, deal_id=deal.deal_id, approved_on=command.on, approved_by=command.by)
    ]


def decide_reject(deal: Deal, command: Decision) -> list[EventPayload]:
    if deal.status not in (Status.PENDING, Status.CONFLICT):
        raise InvalidTransition(
            f"deal {deal.deal_id} is {deal.status}; only pending or conflicting registrations are rejected"
        )
    if not command.reason or not command.reason.strip():
        raise RuleViolation("a rejection needs a reason")
    return [_rejected(deal, command, command.reason.strip())]


def in_conflict_with(deal: Deal, other: Deal, exclusivity_days: int) -> bool:
    """Another partner's active registration of the same customer and product inside the window."""
    return (
        other.deal_id != deal.deal_id
        and other.partner_id != deal.partner_id
        and other.active
        and other.product_key == deal.product_key
        and other.identity.same_customer(deal.identity)
        and within(other.registered_on, deal.registered_on, exclusivity_days)
    )


def direct_conflict(deal: Deal, direct: DirectDeal, exclusivity_days: int) -> bool:
    return (
        direct.active
        and direct.product_key == normalize_product_line(deal.product_line)
        and direct.identity.same_customer(deal.identity)
        and within(direct.registered_on, deal.registered_on, exclusivity_days)
    )


def decide_award(
    winner: Deal, rivals: list[Deal], directs: list[DirectDeal], command: Decision, exclusivity_days: int
) -> list[EventPayload]:
    """Award the conflict to ``winner``: every rival registration is rejected with the reason."""
    if not winner.active:
        raise InvalidTransition(f"deal {winner.deal_id} is {winner.status}; only an active registration can be awarded")
    group = sorted((r for r in rivals if in_conflict_with(winner, r, exclusivity_days)), key=lambda d: d.deal_id)
    released = sorted(d.direct_deal_id for d in directs if direct_conflict(winner, d, exclusivity_days))
    if winner.status != Status.CONFLICT and not any(r.status == Status.CONFLICT for r in group):
        raise InvalidTransition(f"deal {winner.deal_id} is not part of a conflict", [])
    note = (command.reason or "").strip() or None
    reason = f"conflict awarded to deal {winner.deal_id}" + (f": {note}" if note else "")
    events: list[EventPayload] = [_rejected(r, command, reason) for r in group]
    events.append(
        DealConflictResolved(
            partner_id=winner.partner_id,
            deal_id=winner.deal_id,
            resolved_on=command.on,
            resolved_by=command.by,
            rejected_deal_ids=[r.deal_id for r in group],
            released_direct_deals=released,
            note=note,
        )
    )
    if winner.status != Status.APPROVED:
        events.append(
            DealApproved(
                partner_id=winner.partner_id, deal_id=winner.deal_id, approved_on=command.on, approved_by=command.by
            )
        )
    return events


def decide_award_direct(
    direct: DirectDeal, rivals: list[Deal], command: Decision, exclusivity_days: int
) -> list[EventPayload]:
    """Award the customer to the vendor's direct deal: the partners' registrations are rejected."""
    if not direct.active:
        raise InvalidTransition(f"direct deal {direct.direct_deal_id} is no longer active", [])
    group = sorted(
        (r for r in rivals if r.active and direct_conflict(r, direct, exclusivity_days)), key=lambda d: d.deal_id
    )
    if not group:
        raise InvalidTransition(f"direct deal {direct.direct_deal_id} is not part of a conflict", [])
    note = (command.reason or "").strip()
    reason = f"customer awarded to the vendor's direct deal {direct.direct_deal_id}" + (f": {note}" if note else "")
    return [_rejected(r, command, reason) for r in group]


def _rejected(deal: Deal, command: Decision, reason: str) -> DealRejected:
    return DealRejected(
        partner_id=deal.partner_id, deal_id=deal.deal_id, rejected_on=command.on, rejected_by=command.by, reason=reason
    )
