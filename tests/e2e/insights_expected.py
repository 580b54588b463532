"""The indicators expected of a book of events, worked out from the payloads alone (an independent
reading of the definitions in services/insights/README.md, not the insights code)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from incentive_contracts.events import deal as d
from incentive_contracts.events import mdf as m
from incentive_contracts.events.engagement import EngagementRecorded
from incentive_contracts.payload import EventPayload

from .insights_book import POINTS


def _four(value: Fraction) -> str:
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001"), ROUND_HALF_EVEN))


def expected(events: Iterable[EventPayload], start: date, end: date, partners: set[str]) -> dict[str, Any]:
    """The figures of the partners ``partners`` for the period ``start``..``end``."""
    mine = [e for e in events if e.partner_id in partners]
    registered = {e.deal_id: e for e in mine if isinstance(e, d.DealRegistered)}
    closes: dict[str, tuple[str, date, Decimal]] = {}
    for e in mine:
        if isinstance(e, d.DealWon):
            closes[e.deal_id] = ("won", e.closed_on, e.amount.amount)
        elif isinstance(e, d.DealLost):
            closes[e.deal_id] = ("lost", e.lost_on, Decimal(0))
        elif isinstance(e, d.DealExpired):
            closes[e.deal_id] = ("lost", e.expired_on, Decimal(0))
        elif isinstance(e, d.DealRejected):
            closes[e.deal_id] = ("rejected", e.rejected_on, Decimal(0))
    in_period = {k: v for k, v in closes.items() if start <= v[1] <= end}
    won = {k: v for k, v in in_period.items() if v[0] == "won"}
    lost = [k for k, v in in_period.items() if v[0] == "lost"]
    open_deals = [
        r for k, r in registered.items() if r.registered_on <= end and not (k in closes and closes[k][1] <= end)
    ]
    days = [(v[1] - registered[k].registered_on).days for k, v in won.items()]
    engagement = [e for e in mine if isinstance(e, EngagementRecorded) and start <= e.occurred_on <= end]
    return {
        "registrations": sum(1 for r in registered.values() if start <= r.registered_on <= end),
        "won_deals": len(won),
        "lost_deals": len(lost),
        "won_revenue": sum((v[2] for v in won.values()), Decimal(0)),
        "win_rate": _four(Fraction(len(won), len(won) + len(lost))) if won or lost else None,
        "open_deals": len(open_deals),
        "pipeline": sum((r.expected_amount.amount for r in open_deals), Decimal(0)),
        "median_days": Decimal(statistics.median(days)) if days else None,
        "mdf_spend": sum(
            (e.amount.amount for e in mine if isinstance(e, m.MdfDisbursed) and start <= e.disbursed_on <= end),
            Decimal(0),
        ),
        "mdf_requests": sum(1 for e in mine if isinstance(e, m.MdfRequestSubmitted) and start <= e.submitted_on <= end),
        "engagement_points": sum(POINTS[e.kind.value] for e in engagement),
    }


def observed(item: dict[str, Any]) -> dict[str, Any]:
    """The same figures read from one period of the insights API."""
    median = item["time_to_close_days"]["median"]
    return {
        "registrations": item["registrations"]["count"],
        "won_deals": item["won_deals"],
        "lost_deals": item["lost_deals"],
        "won_revenue": Decimal(item["won_revenue"]["amount"]),
        "win_rate": item["win_rate"],
        "open_deals": item["pipeline"]["open_deals"],
        "pipeline": Decimal(item["pipeline"]["total"]["amount"]),
        "median_days": None if median is None else Decimal(median),
        "mdf_spend": Decimal(item["marketing"]["spend"]["amount"]),
        "mdf_requests": item["marketing"]["mdf_requests"],
        "engagement_points": item["engagement"]["points"],
    }
