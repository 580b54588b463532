"""Postings for the MDF service's money movements (the amounts are the MDF service's decisions).

allocated: vendor marketing -> mdf_available; request approved: available -> reserved; request
cancelled or lapsed: reserved -> available; disbursed: reserved -> disbursed; funds expired:
available -> vendor marketing. Events that move no money post nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from incentive_contracts.events import mdf
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload

from . import accounts
from .journal import JournalEntry, transfer
from .money import fmt
from .outcome import EventMeta, business_time, entry_id
from .state import MDF_STREAM, PartnerLedger

RULE_VERSION = 1


@dataclass(frozen=True)
class MdfMove:
    kind: str
    amount: Money
    on: date
    debit: str  # purpose on the partner, or a full account name when it contains ':'
    credit: str
    summary: str


def _allocated(e: mdf.MdfAllocated) -> MdfMove:
    return MdfMove(
        "mdf_allocation",
        e.amount,
        e.allocated_on,
        accounts.VENDOR_MDF_EXPENSE,
        accounts.MDF_AVAILABLE,
        f"MDF allocation {e.allocation_id} for {e.period}",
    )


def _reserved(e: mdf.MdfRequestApproved) -> MdfMove:
    return MdfMove(
        "mdf_reservation",
        e.approved_amount,
        e.approved_on,
        accounts.MDF_AVAILABLE,
        accounts.MDF_RESERVED,
        f"request {e.request_id} ({e.period}) pre-approved by {e.approved_by}: amount reserved",
    )


def _released(e: mdf.MdfRequestCancelled) -> MdfMove:
    why = "lapsed at the period close" if e.lapsed else f"cancelled by {e.cancelled_by}"
    return MdfMove(
        "mdf_release",
        e.released_amount,
        e.cancelled_on,
        accounts.MDF_RESERVED,
        accounts.MDF_AVAILABLE,
        f"request {e.request_id} ({e.period}) {why}: reservation released ({e.reason})",
    )


def _disbursed(e: mdf.MdfDisbursed) -> MdfMove:
    return MdfMove(
        "mdf_disbursement",
        e.amount,
        e.disbursed_on,
        accounts.MDF_RESERVED,
        accounts.MDF_DISBURSED,
        f"request {e.request_id} ({e.period}) milestone {e.milestone} disbursed",
    )


def _expired(e: mdf.MdfFundsExpired) -> MdfMove:
    return MdfMove(
        "mdf_expiry",
        e.amount,
        e.expired_on,
        accounts.MDF_AVAILABLE,
        accounts.VENDOR_MDF_EXPENSE,
        f"unreserved {e.period} funds expired ({e.reason})",
    )


MOVES: dict[type[EventPayload], Callable[..., MdfMove]] = {
    mdf.MdfAllocated: _allocated,
    mdf.MdfRequestApproved: _reserved,
    mdf.MdfRequestCancelled: _released,
    mdf.MdfDisbursed: _disbursed,
    mdf.MdfFundsExpired: _expired,
}


def mdf_entries(partner: PartnerLedger, event: EventPayload, meta: EventMeta) -> list[JournalEntry]:
    describe = MOVES.get(type(event))
    if describe is None:
        return []
    move = describe(event)
    if not move.amount.amount:
        return []

    def account(name: str) -> str:
        return name if ":" in name else accounts.partner_account(partner.partner_id, name)

    currency, amount = move.amount.currency, move.amount.amount
    return [
        JournalEntry(
            entry_id=entry_id(meta.event_id, move.kind),
            partner_id=partner.partner_id,
            kind=move.kind,
            caused_by=meta.event_id,
            effective_at=business_time(move.on),
            rule_id=f"ledger/{event.event_type}",
            rule_version=RULE_VERSION,
            postings=transfer(account(move.debit), account(move.credit), currency, amount),
            explanation={
                "event_type": event.event_type,
                "currency": currency,
                "amount": fmt(amount),
                "summary": f"{move.summary}: {fmt(amount)} {currency}",
                "steps": [move.summary],
                "period": getattr(event, "period", None),
            },
            stream=MDF_STREAM,
        )
    ]
