"""A reviewer confirming an anomaly flag (clearing one is in influence.py): the deal is rejected,
so it can no longer be won or paid, and the ledger reverses whatever it rewarded for it (held or
not, whatever the clawback window)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from incentive_contracts.events.deal import DealFlagConfirmed, FlagReason
from incentive_contracts.payload import EventPayload

from .deal import Deal
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
