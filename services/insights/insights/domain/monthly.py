"""Monthly contributions: what each fact adds to the figures of the month it falls in (pure).

The read models keep, per partner, currency and month, the sums every indicator is computed from
(``insights_monthly``). Each fact contributes to them; when a fact changes (a deal moves, a request is
approved, a newer report replaces an older one) the projection adds its new contributions and takes
back its old ones, so the sums always equal the contributions of the facts as they are now.

Metrics (per month; ``key`` narrows some):

- ``registrations``: deals registered; ``reached``/stage: of those, how many reached the stage so far;
- ``won``, ``won_revenue``, ``lost`` (lost or expired), ``days``/n (wins n days after registration),
  ``days_sum``: deals closed in the month;
- ``pipeline``/stage and ``open``/stage: the change in the month of the open deals' expected amount
  and count at each stage, so the pipeline at a month's end is the sum of all changes up to it;
- ``mdf_requests``, ``mdf_requested``, ``mdf_approved`` (by submission month), ``mdf_spend`` (by
  disbursement month), ``mdf_reported``, ``mdf_reported_spend``, ``mdf_registrations``,
  ``mdf_attendees``, ``mdf_leads``, ``mdf_opportunities`` (by the latest report's month);
- ``engagement``/kind: engagement activities (no currency).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from .facts import (
    CLOSED_LOST,
    FUNNEL,
    OPEN_STAGES,
    DealFact,
    EngagementFact,
    MdfRequestFact,
    MdfResultFact,
    MdfSpendFact,
)

Key = tuple[str, date, str, str]  # (currency, first day of the month, metric, key)
Monthly = Mapping[Key, Decimal]
Sums = dict[Key, Decimal]
ONE = Decimal(1)
NO_CURRENCY = ""


def month_start(day: date) -> date:
    return day.replace(day=1)


def deal_contributions(deal: DealFact) -> Sums:
    c: Sums = defaultdict(Decimal)
    cur, registered = deal.currency, month_start(deal.registered_on)
    c[(cur, registered, "registrations", "")] += ONE
    for stage in FUNNEL:
        if stage in deal.reached or stage == "registered":
            c[(cur, registered, "reached", stage)] += ONE
    if deal.closed_on is not None:
        closed = month_start(deal.closed_on)
        if deal.stage == "won":
            days = (deal.closed_on - deal.registered_on).days
            c[(cur, closed, "won", "")] += ONE
            c[(cur, closed, "won_revenue", "")] += deal.won_amount or Decimal(0)
            c[(cur, closed, "days", str(days))] += ONE
            c[(cur, closed, "days_sum", "")] += Decimal(days)
        elif deal.stage in CLOSED_LOST:
            c[(cur, closed, "lost", "")] += ONE
    _pipeline(deal, c)
    return c


def _pipeline(deal: DealFact, c: Sums) -> None:
    """The deal's open stage changes on the days it reached a stage or closed: its amount and count
    leave the stage it was at and enter the one it is at from that day."""
    days = {deal.registered_on, *(d for s, d in deal.reached.items() if s in OPEN_STAGES)}
    if deal.closed_on is not None:
        days.add(deal.closed_on)
    before: str | None = None
    for day in sorted(d for d in days if d >= deal.registered_on):
        now = deal.stage_on(day)
        now = now if now in OPEN_STAGES else None
        if now == before:
            continue
        month = month_start(day)
        if before is not None:
            c[(deal.currency, month, "pipeline", before)] -= deal.expected_amount
            c[(deal.currency, month, "open", before)] -= ONE
        if now is not None:
            c[(deal.currency, month, "pipeline", now)] += deal.expected_amount
            c[(deal.currency, month, "open", now)] += ONE
        before = now


def request_contributions(r: MdfRequestFact) -> Sums:
    month = month_start(r.submitted_on)
    return {
        (r.currency, month, "mdf_requests", ""): ONE,
        (r.currency, month, "mdf_requested", ""): r.requested_amount,
        (r.currency, month, "mdf_approved", ""): r.approved_amount or Decimal(0),
    }


def result_contributions(r: MdfResultFact) -> Sums:
    month = month_start(r.reported_on)
    figures = {
        "mdf_reported": ONE,
        "mdf_reported_spend": r.spend,
        "mdf_registrations": Decimal(r.registrations),
        "mdf_attendees": Decimal(r.attendees),
        "mdf_leads": Decimal(r.leads),
        "mdf_opportunities": Decimal(r.opportunities_influenced),
    }
    return {(r.currency, month, metric, ""): value for metric, value in figures.items()}


def spend_contributions(s: MdfSpendFact) -> Sums:
    return {(s.currency, month_start(s.disbursed_on), "mdf_spend", ""): s.amount}


def engagement_contributions(e: EngagementFact) -> Sums:
    return {(NO_CURRENCY, month_start(e.occurred_on), "engagement", e.kind): ONE}


def change(new: Monthly | None, old: Monthly | None) -> Sums:
    """What replacing ``old`` contributions by ``new`` ones adds (zero changes left out)."""
    out: Sums = dict(new or {})
    for key, value in (old or {}).items():
        out[key] = out.get(key, Decimal(0)) - value
    return {k: v for k, v in out.items() if v}


def add(total: Sums, parts: Iterable[Monthly]) -> Sums:
    for part in parts:
        for key, value in part.items():
            total[key] = total.get(key, Decimal(0)) + value
    return total
