"""Partner and deal state <-> JSON documents (decimal strings, ISO dates)."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from ..domain.holds import outstanding
from ..domain.state import DealRecord, PartnerLedger, QuarterTotals, RewardRecord, WonDeal


def _d(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


# A partner's state holds a dated entry per won deal (100 deals: 100 dates and currency codes), and a
# batch loads every partner it names: equal values shared, not one object per entry (a date and a
# currency string are 84 of the ~230 bytes an entry takes). Business dates are few; the cache is bounded.
_SHARED_DAYS: dict[str, date] = {}
SHARED_DAYS_LIMIT = 8192


def _shared_day(text: str) -> date:
    day = _SHARED_DAYS.get(text)
    if day is None:
        day = date.fromisoformat(text)
        if len(_SHARED_DAYS) < SHARED_DAYS_LIMIT:
            _SHARED_DAYS[text] = day
    return day


def partner_to_json(p: PartnerLedger) -> dict[str, Any]:
    return {
        "enrolled_on": _d(p.enrolled_on),
        "tier_since": _d(p.tier_since),
        "reviewed_through": _d(p.reviewed_through),
        "revenue": [[d.isoformat(), c, str(a)] for d, c, a in p.revenue],
        "points": [[d.isoformat(), n] for d, n in p.points],
        "quarters": [[q, c, str(t.won), str(t.rewarded)] for q, c, t in p.quarters],
    }


def partner_from_json(partner_id: str, program_id: str | None, tier: str | None, doc: dict[str, Any]) -> PartnerLedger:
    return PartnerLedger(
        partner_id=partner_id,
        program_id=program_id,
        tier=tier,
        enrolled_on=_day(doc.get("enrolled_on")),
        tier_since=_day(doc.get("tier_since")),
        reviewed_through=_day(doc.get("reviewed_through")),
        revenue=tuple((_shared_day(d), sys.intern(c), Decimal(a)) for d, c, a in doc.get("revenue", [])),
        points=tuple((_shared_day(d), int(n)) for d, n in doc.get("points", [])),
        quarters=tuple((q, c, QuarterTotals(Decimal(w), Decimal(r))) for q, c, w, r in doc.get("quarters", [])),
    )


def deal_to_json(deal: DealRecord) -> dict[str, Any]:
    won = deal.won
    return {
        "approved_on": _d(deal.approved_on),
        "influence": [[k, d.isoformat()] for k, d in deal.influence],
        "flags": sorted(deal.flags),
        "won": None
        if won is None
        else {
            "event_id": won.event_id,
            "product_line": won.product_line,
            "currency": won.currency,
            "amount": str(won.amount),
            "closed_on": won.closed_on.isoformat(),
            "program_id": won.program_id,
            "program_version": won.program_version,
        },
        "reversed_amount": str(deal.reversed_amount),
        "rewards": [
            {
                "entry_id": r.entry_id,
                "component": r.component,
                "debit": r.debit_account,
                "credit": r.credit_account,
                "paid": str(r.paid),
                "capped": str(r.capped),
                "clawed_paid": str(r.clawed_paid),
                "clawed_capped": str(r.clawed_capped),
            }
            for r in deal.rewards
        ],
        "held": deal.held,
        "hold_entry": deal.hold_entry,
        "held_amount": str(deal.held_amount),
        "lost_on": _d(deal.lost_on),
    }


def deal_from_json(partner_id: str, deal_id: str, doc: dict[str, Any]) -> DealRecord:
    won = doc.get("won")
    deal = DealRecord(
        deal_id=deal_id,
        partner_id=partner_id,
        approved_on=_day(doc.get("approved_on")),
        influence=tuple((k, date.fromisoformat(d)) for k, d in doc.get("influence", [])),
        flags=frozenset(doc.get("flags", [])),
        won=None
        if won is None
        else WonDeal(
            event_id=won["event_id"],
            product_line=won["product_line"],
            currency=won["currency"],
            amount=Decimal(won["amount"]),
            closed_on=date.fromisoformat(won["closed_on"]),
            program_id=won["program_id"],
            program_version=int(won["program_version"]),
        ),
        reversed_amount=Decimal(doc.get("reversed_amount", "0")),
        rewards=tuple(
            RewardRecord(
                entry_id=r["entry_id"],
                component=r["component"],
                debit_account=r["debit"],
                credit_account=r["credit"],
                paid=Decimal(r["paid"]),
                capped=Decimal(r["capped"]),
                clawed_paid=Decimal(r["clawed_paid"]),
                clawed_capped=Decimal(r["clawed_capped"]),
            )
            for r in doc.get("rewards", [])
        ),
        held=bool(doc.get("held", False)),
        hold_entry=doc.get("hold_entry"),
        lost_on=_day(doc.get("lost_on")),
    )
    if "held_amount" in doc:
        return replace(deal, held_amount=Decimal(doc["held_amount"]))
    # Written before payouts existed: a hold then always moved all of the deal's outstanding rewards.
    return replace(deal, held_amount=outstanding(deal) if deal.held else Decimal(0))
