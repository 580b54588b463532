"""A reviewer confirming an anomaly flag (clearing one is in influence.py): the deal is rejected,
so it can no longer be won or paid, and the ledger reverses whatever it rewarded for it (held or
not, whatever the clawback window). A failed spot audit is such a review: it flags the deal
(reason ``audit``) and confirms that flag at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from incentive_contracts.events.deal import DealFlagConfirmed, DealFlagged, FlagReason
from incentive_contracts.payload import EventPayload

from .deal import Deal, Status
from .errors import InvalidTransition, RuleViolation


@dataclass(frozen=True)
class ConfirmFlag:
    deal_id: str
    reason: FlagReason
    confirmed_by: str
    confirmed_on: date
    note: str


def decide_confirm_flag(deal: Deal, command: ConfirmFlag) -> list[EventPayload]:
    if not any(f.open and f.reason == command.reason for f in deal.flags):
        raise InvalidTransition(
            f"deal {deal.deal_id} has no open {command.reason} flag", [f.reason.value for f in deal.open_flags]
        )
    note = command.note.strip()
    if not note:
        raise RuleViolation("a confirmation needs a note saying why")
    return [
        DealFlagConfirmed(
            partner_id=deal.partner_id,
            deal_id=deal.deal_id,
            reason=command.reason,
            confirmed_on=command.confirmed_on,
            confirmed_by=command.confirmed_by,
            note=note,
        )
    ]


@dataclass(frozen=True)
class FailAudit:
    """A spot audit failed the deal and asks for its flag to be confirmed (governance.audit_item_failed)."""

    deal_id: str
    partner_id: str
    audit_period: str
    failed_by: str
    failed_on: date
    reason: str


def decide_audit_failure(deal: Deal, command: FailAudit) -> list[EventPayload]:
    """Flag the deal for the audit and confirm that flag, in one decision: the audit is the review.

    The deal need not be flagged before (spot audits sample won deals, flagged or not); the ``audit``
    flag it gets is confirmed at once, so the deal is rejected and the ledger reverses what it paid
    or holds exactly as for a manager's confirmation. A deal already rejected changes no further
    (a second failure of the same deal, or a replay). Other open flags stay as they are.
    """
    if deal.partner_id != command.partner_id:
        raise RuleViolation(f"deal {deal.deal_id} is not partner {command.partner_id}'s")
    if deal.status == Status.REJECTED:
        return []
    detail = f"spot audit {command.audit_period} failed by {command.failed_by}: {command.reason}"
    events: list[EventPayload] = []
    if not any(f.open and f.reason == FlagReason.AUDIT for f in deal.flags):
        events.append(
            DealFlagged(
                partner_id=deal.partner_id,
                deal_id=deal.deal_id,
                reason=FlagReason.AUDIT,
                detail=detail[:1000],
                flagged_on=command.failed_on,
            )
        )
    events.append(
        DealFlagConfirmed(
            partner_id=deal.partner_id,
            deal_id=deal.deal_id,
            reason=FlagReason.AUDIT,
            confirmed_on=command.failed_on,
            confirmed_by=command.failed_by,
            note=detail[:1000],
        )
    )
    return events
