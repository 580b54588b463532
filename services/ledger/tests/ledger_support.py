"""Builders for ledger tests: programs, events, and an in-memory replay."""

from __future__ import annotations

import copy
import itertools
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from incentive_contracts.events import deal, engagement, mdf, partner
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload
from ledger.adapters.memory import MemoryReplay
from ledger.application.projector import Incoming
from ledger.domain.catalog import ProgramVersion
from ledger.domain.program_document import validate_program

RECORDED = datetime(2026, 1, 1, tzinfo=UTC)
PUBLISHED = datetime(2025, 1, 1, tzinfo=UTC)

BASE: dict[str, Any] = {
    "program": "growth",
    "title": "Growth program",
    "tiers": {
        "trailing_months": 12,
        "review_on": "01-01",
        "levels": [
            {"id": "registered"},
            {"id": "silver", "qualify": {"won_revenue": {"USD": "100000"}, "points": 20}, "keep": {"points": 10}},
            {"id": "gold", "qualify": {"won_revenue": {"USD": "500000"}, "points": 40}, "keep": {"points": 20}},
        ],
    },
    "engagement_points": {"quarterly_business_review": 10, "certification": 15, "enablement_session": 5},
    "rebate": {
        "percent": {
            "registered": {"default": "5"},
            "silver": {"default": "6", "cloud": "8"},
            "gold": {"default": "8", "cloud": "10"},
        }
    },
    "clawback": {"window_days": 90, "partial": "pro_rata"},
}


def program(
    overrides: dict[str, Any] | None = None,
    *,
    version: int = 1,
    effective_from: date = date(2025, 1, 1),
    published_at: datetime = PUBLISHED,
    program_id: str = "growth",
) -> ProgramVersion:
    data = copy.deepcopy(BASE)
    data["program"] = program_id
    for key, value in (overrides or {}).items():
        data[key] = value
    return ProgramVersion(program_id, version, effective_from, published_at, validate_program(data))


_ids = itertools.count(1)


def incoming(payload: EventPayload, event_id: str | None = None, recorded_at: datetime = RECORDED) -> Incoming:
    return Incoming(event_id or f"ev-{next(_ids)}", payload, recorded_at)


def usd(amount: str, currency: str = "USD") -> Money:
    return Money(amount=Decimal(amount), currency=currency)


def enrolled(pid: str = "acme", program_id: str = "growth", on: date = date(2026, 1, 5)) -> EventPayload:
    return partner.PartnerEnrolled(
        partner_id=pid,
        name=pid.title(),
        partner_type=partner.PartnerType.RESELLER,
        region="EMEA",
        program_id=program_id,
        enrolled_on=on,
    )


def won(
    deal_id: str,
    amount: str,
    closed_on: date,
    *,
    pid: str = "acme",
    line: str = "cloud",
    registered: bool = False,
    currency: str = "USD",
    influence: list[tuple[str, date]] | None = None,
) -> EventPayload:
    return deal.DealWon(
        partner_id=pid,
        deal_id=deal_id,
        product_line=line,
        amount=usd(amount, currency),
        closed_on=closed_on,
        registered=registered,
        influence=[deal.InfluenceActivity(kind=k, occurred_on=d, evidence_ref="crm://x") for k, d in influence or []],
    )


def reversed_(
    deal_id: str, amount: str, on: date, *, full: bool = False, pid: str = "acme", currency: str = "USD"
) -> EventPayload:
    return deal.DealReversed(
        partner_id=pid, deal_id=deal_id, reversed_on=on, amount=usd(amount, currency), full=full, reason="refunded"
    )


def flagged(deal_id: str, on: date, reason: str = "self_dealing", pid: str = "acme") -> EventPayload:
    return deal.DealFlagged(
        partner_id=pid, deal_id=deal_id, reason=deal.FlagReason(reason), detail="review", flagged_on=on
    )


def cleared(deal_id: str, on: date, reason: str = "self_dealing", pid: str = "acme") -> EventPayload:
    return deal.DealFlagCleared(
        partner_id=pid, deal_id=deal_id, reason=deal.FlagReason(reason), cleared_on=on, cleared_by="manager"
    )


def engaged(kind: str, on: date, pid: str = "acme", engagement_id: str | None = None) -> EventPayload:
    return engagement.EngagementRecorded(
        partner_id=pid,
        engagement_id=engagement_id or f"eng-{next(_ids)}",
        kind=engagement.EngagementKind(kind),
        occurred_on=on,
        evidence_ref="crm://e",
    )


def allocated(amount: str, on: date, pid: str = "acme", period: str = "2026-Q1") -> EventPayload:
    return mdf.MdfAllocated(
        partner_id=pid, allocation_id=f"al-{next(_ids)}", period=period, amount=usd(amount), allocated_on=on
    )


def request_lifecycle(pid: str = "acme") -> list[EventPayload]:
    """An MDF request r1 in 2026-Q1: 2000.00 USD approved (reserved), 1500.00 disbursed, the 500.00
    left released by cancelling it."""
    return [
        mdf.MdfRequestApproved(
            partner_id=pid,
            request_id="r1",
            period="2026-Q1",
            requested_amount=usd("2500.00"),
            approved_amount=usd("2000.00"),
            approved_on=date(2026, 1, 20),
            approved_by="m",
            claim_deadline=date(2026, 4, 30),
        ),
        mdf.MdfDisbursed(
            partner_id=pid,
            disbursement_id="x1",
            request_id="r1",
            period="2026-Q1",
            milestone="final",
            trigger="proof_approved",
            amount=usd("1500.00"),
            disbursed_on=date(2026, 2, 20),
        ),
        mdf.MdfRequestCancelled(
            partner_id=pid,
            request_id="r1",
            period="2026-Q1",
            released_amount=usd("500.00"),
            reason="activity done",
            lapsed=False,
            cancelled_on=date(2026, 2, 21),
            cancelled_by="m",
        ),
    ]


async def replay(events: list[Incoming], *programs: ProgramVersion) -> MemoryReplay:
    r = MemoryReplay(programs)
    await r.feed(events)
    return r


async def run(payloads: list[EventPayload], *programs: ProgramVersion) -> MemoryReplay:
    return await replay([incoming(p) for p in payloads], *programs)


def entries(r: MemoryReplay, kind: str | None = None) -> list[Any]:
    return [c.entry for c in r.ledger.journal if kind is None or c.entry.kind == kind]


def balance(r: MemoryReplay, account: str, currency: str = "USD", pid: str = "acme") -> Decimal:
    """Credit-normal balance of a partner account purpose (what the vendor owes the partner)."""
    return -r.ledger.balances.get((pid, f"partner:{pid}:{account}", currency), Decimal(0))


def amounts(entry: Any) -> dict[str, Decimal]:
    return {p.account: p.amount for p in entry.postings}


def confirmed(deal_id: str, on: date, reason: str = "self_dealing", pid: str = "acme") -> EventPayload:
    return deal.DealFlagConfirmed(
        partner_id=pid,
        deal_id=deal_id,
        reason=deal.FlagReason(reason),
        confirmed_on=on,
        confirmed_by="manager",
        note="confirmed on review",
    )


def mdf_answers(r: MemoryReplay, available: dict[str, Decimal] | None = None) -> list[EventPayload]:
    """What the mdf service answers to every ledger.mdf_accrual_reversed announced so far: it takes
    min(requested, available) (``available`` per partner; everything when not given)."""
    from incentive_contracts.events.ledger import LedgerMdfAccrualReversed

    answers: list[EventPayload] = []
    left = dict(available or {})
    for a in r.ledger.announced:
        p = a.payload
        if not isinstance(p, LedgerMdfAccrualReversed):
            continue
        asked = p.amount.amount
        taken = asked if available is None else min(asked, left.get(p.partner_id, Decimal(0)))
        left[p.partner_id] = left.get(p.partner_id, Decimal(0)) - taken
        answers.append(
            mdf.MdfAccrualClawedBack(
                partner_id=p.partner_id,
                deal_id=p.deal_id,
                reversal_entry_id=p.entry_id,
                reverses=p.reverses,
                period=p.period,
                amount=Money(amount=taken, currency=p.amount.currency),
                requested=p.amount,
                unrecovered=Money(amount=asked - taken, currency=p.amount.currency),
                clawed_on=a.time.date(),
            )
        )
    return answers
