"""Postings for the MDF service's money movements (the amounts are the MDF service's decisions).

allocated: vendor marketing -> mdf_available; request approved: available -> reserved; request
cancelled or lapsed, or a reservation released (claim approved for less): reserved -> available;
disbursed: reserved -> disbursed; funds expired: available -> vendor marketing; an accrual clawed
back by the mdf service: available -> the program's mdf accrual expense; a payout recovered after a
failed claim audit: disbursed -> available (the mdf service expires it at once when the period is
closed). Events that move no money post nothing. Every entry names the fund period in its explanation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from incentive_contracts.events import mdf
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload

from . import accounts
from .explanation import MdfMovementExplanation
from .journal import JournalEntry, transfer
from .money import fmt
from .outcome import EventMeta, business_time, entry_id
from .state import MDF_STREAM, DealRecord, PartnerLedger

RULE_VERSION = 1


@dataclass(frozen=True)
class MdfMove:
    kind: str
    amount: Money
    on: date
    debit: str  # purpose on the partner, or a full account name when it contains ':'
    credit: str
    summary: str
    reverses: str | None = None
    deal_id: str | None = None


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


def _reservation_released(e: mdf.MdfReservationReleased) -> MdfMove:
    return MdfMove(
        "mdf_reservation_release",
        e.amount,
        e.released_on,
        accounts.MDF_RESERVED,
        accounts.MDF_AVAILABLE,
        f"request {e.request_id} ({e.period}): reservation released ({e.reason})",
    )


def _recovered(e: mdf.MdfDisbursementRecovered) -> MdfMove:
    return MdfMove(
        "mdf_recovery",
        e.amount,
        e.recovered_on,
        accounts.MDF_DISBURSED,
        accounts.MDF_AVAILABLE,
        f"request {e.request_id} ({e.period}): payout for claim {e.claim_id} recovered ({e.reason})",
    )


def _clawed_back(e: mdf.MdfAccrualClawedBack, program_id: str) -> MdfMove:
    unrecovered = f"; {fmt(e.unrecovered.amount)} {e.unrecovered.currency} unrecovered" if e.unrecovered.amount else ""
    return MdfMove(
        "mdf_accrual_clawback",
        e.amount,
        e.clawed_on,
        accounts.MDF_AVAILABLE,
        accounts.program_account(program_id, accounts.MDF_ACCRUAL_EXPENSE),
        f"MDF accrual {e.reverses} of deal {e.deal_id} ({e.period}) clawed back by the mdf service: "
        f"{fmt(e.requested.amount)} {e.requested.currency} asked{unrecovered}",
        reverses=e.reverses,
        deal_id=e.deal_id,
    )


MOVES: dict[type[EventPayload], Callable[..., MdfMove]] = {
    mdf.MdfAllocated: _allocated,
    mdf.MdfRequestApproved: _reserved,
    mdf.MdfRequestCancelled: _released,
    mdf.MdfDisbursed: _disbursed,
    mdf.MdfFundsExpired: _expired,
    mdf.MdfReservationReleased: _reservation_released,
    mdf.MdfDisbursementRecovered: _recovered,
}


def mdf_entries(
    partner: PartnerLedger, event: EventPayload, meta: EventMeta, deals: Mapping[str, DealRecord] | None = None
) -> list[JournalEntry]:
    if isinstance(event, mdf.MdfAccrualClawedBack):
        deal = (deals or {}).get(event.deal_id)
        # the expense the accrual charged: the program that priced the win
        program_id = deal.won.program_id if deal is not None and deal.won is not None else partner.program_id
        move = _clawed_back(event, program_id or "unknown")
    else:
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
            explanation=MdfMovementExplanation(
                event_type=event.event_type,
                currency=currency,
                amount=fmt(amount),
                summary=f"{move.summary}: {fmt(amount)} {currency}",
                steps=(move.summary,),
                period=getattr(event, "period", None),
            ),
            reverses=move.reverses,
            stream=MDF_STREAM,
            deal_id=move.deal_id,
        )
    ]
