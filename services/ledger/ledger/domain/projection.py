"""The ledger's pure projection: decide(state, event) -> entries; evolve(state, entry) -> state.

It reads only the event and the rule in force; never the wall clock. Entry ids are derived from
the causing event id, so replaying the same events yields the same journal.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from decimal import Decimal

from incentive_contracts.events.deal import DealWon
from incentive_contracts.events.partner import PartnerEnrolled
from incentive_contracts.payload import EventPayload

from . import accounts
from .chain import GENESIS
from .errors import UnknownPartner
from .journal import JournalEntry, transfer
from .money import round_money

ENTRY_NAMESPACE = uuid.UUID("6f1c9a52-1f0e-4d7a-9d3b-5b8f3f0c2a11")
FLAT_REBATE_RULE = "flat-rebate"


@dataclass(frozen=True)
class PartnerLedger:
    """What the projector keeps per partner between events."""

    partner_id: str
    program_id: str | None
    last_sequence: int = 0
    head_hash: str = GENESIS

    @property
    def enrolled(self) -> bool:
        return self.program_id is not None


@dataclass(frozen=True)
class FlatRebate:
    rate: Decimal


def entry_id(caused_by: str, kind: str, index: int = 0) -> str:
    return str(uuid.uuid5(ENTRY_NAMESPACE, f"{caused_by}:{kind}:{index}"))


def business_time(day: object) -> datetime:
    assert hasattr(day, "year")
    return datetime.combine(day, time.min, tzinfo=UTC)  # type: ignore[arg-type]


def decide(state: PartnerLedger, event: EventPayload, event_id: str, rule: FlatRebate) -> list[JournalEntry]:
    if isinstance(event, PartnerEnrolled):
        return []
    if not state.enrolled:
        raise UnknownPartner(f"partner {event.partner_id} is not enrolled in the ledger")
    if isinstance(event, DealWon):
        currency = event.amount.currency
        rebate = round_money(event.amount.amount * rule.rate, currency)
        assert state.program_id is not None
        return [
            JournalEntry(
                entry_id=entry_id(event_id, "rebate"),
                partner_id=event.partner_id,
                kind="rebate",
                caused_by=event_id,
                effective_at=business_time(event.closed_on),
                rule_id=FLAT_REBATE_RULE,
                rule_version=1,
                postings=transfer(
                    accounts.program_account(state.program_id, accounts.REBATE_EXPENSE),
                    accounts.partner_account(event.partner_id, accounts.REBATES_PAYABLE),
                    currency,
                    rebate,
                ),
                explanation={
                    "deal_id": event.deal_id,
                    "won_amount": format(event.amount.amount, "f"),
                    "rate": format(rule.rate, "f"),
                    "computation": f"{event.amount.amount} x {rule.rate} = {rebate} {currency} (half-even)",
                },
            )
        ]
    return []


def evolve(state: PartnerLedger, event: EventPayload) -> PartnerLedger:
    if isinstance(event, PartnerEnrolled):
        return replace(state, program_id=event.program_id)
    return state
