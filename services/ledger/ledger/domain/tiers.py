"""Tiers: trailing won revenue and engagement points, promotions on events, the yearly review.

Promotions happen as soon as an event lifts the partner over a higher tier's thresholds. Demotions
happen only at the yearly review (``tiers.review_on``): a partner keeps its tier when it meets the
tier's ``keep`` minimum, and otherwise falls to the highest tier it qualifies for.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from incentive_contracts.events.partner import PartnerTierChanged

from .catalog import Catalog, ProgramVersion
from .evolve import evolve
from .frozen import quick_init
from .money import fmt
from .outcome import Announcement, announcement_id, business_time
from .program import Program, Thresholds
from .state import PartnerLedger

Row = TypeVar("Row", bound=tuple[Any, ...])
ONE_DAY = timedelta(days=1)
RETAIN_MONTHS = 60  # history kept for trailing windows; longer than any window a program may set


@quick_init
@dataclass(frozen=True)
class Metrics:
    window_start: date  # exclusive
    window_end: date  # inclusive
    revenue: dict[str, Decimal]
    points: int

    def describe(self) -> str:
        revenue = ", ".join(f"{fmt(a)} {c}" for c, a in sorted(self.revenue.items()) if a) or "none"
        return (
            f"won revenue {revenue} and {self.points} engagement points "
            f"in the trailing window {self.window_start} (exclusive) to {self.window_end}"
        )


@lru_cache(maxsize=8192)  # a pure function of two values; every won deal asks it twice, mostly for the same days
def months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def metrics(partner: PartnerLedger, on: date, program: Program) -> Metrics:
    start = months_before(on, program.tiers.trailing_months)
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    for _, currency, amount in _window(partner.revenue, start, on):
        revenue[currency] += amount
    points = sum(p for _, p in _window(partner.points, start, on))
    return Metrics(start, on, dict(revenue), points)


def _day(row: tuple[Any, ...]) -> date:
    day: date = row[0]
    return day


def _window(rows: tuple[Row, ...], start: date, end: date) -> tuple[Row, ...]:
    """The rows (sorted by day) dated after ``start``, up to and including ``end``: ``reference_window``
    with the rows compared to a one-member tuple of the next day (tuples compare member by member and
    a longer one is the greater), so no key function is called per probe."""
    return rows[_after(rows, start) : _after(rows, end)]


def _after(rows: tuple[Row, ...], day: date) -> int:
    """``bisect_right(rows, day, key=_day)``: the index of the first row dated after ``day``."""
    if day == date.max:
        return len(rows)
    return bisect_left(rows, (day + ONE_DAY,))


def reference_window(rows: tuple[Row, ...], start: date, end: date) -> tuple[Row, ...]:
    return rows[bisect_right(rows, start, key=_day) : bisect_right(rows, end, key=_day)]


def meets(thresholds: Thresholds, m: Metrics) -> bool:
    if m.points < thresholds.points:
        return False
    if not thresholds.won_revenue:
        return True
    return any(m.revenue.get(currency, Decimal(0)) >= amount for currency, amount in thresholds.won_revenue.items())


def qualifying_index(program: Program, m: Metrics) -> int:
    best = 0
    for i, level in enumerate(program.tiers.levels):
        if meets(level.qualify, m):
            best = i
    return best


def add_revenue(partner: PartnerLedger, day: date, currency: str, amount: Decimal) -> PartnerLedger:
    return evolve(partner, revenue=revenue_with(partner.revenue, day, currency, amount))


def add_points(partner: PartnerLedger, day: date, points: int) -> PartnerLedger:
    merged: dict[date, int] = dict(partner.points)
    merged[day] = merged.get(day, 0) + points
    horizon = months_before(max(merged), RETAIN_MONTHS)
    return evolve(partner, points=tuple(sorted((d, p) for d, p in merged.items() if d > horizon)))


def revenue_with(
    rows: tuple[tuple[date, str, Decimal], ...], day: date, currency: str, amount: Decimal
) -> tuple[tuple[date, str, Decimal], ...]:
    """Add ``amount`` to the (day, currency) row of rows sorted by (day, currency); rows older than
    the retention horizon fall off. (A sorted insert: the projector runs this on every won deal.)"""
    i = bisect_left(rows, (day, currency))  # a row sorts after its (day, currency): the key is not needed
    if i < len(rows) and rows[i][0] == day and rows[i][1] == currency:
        merged = (*rows[:i], (day, currency, rows[i][2] + amount), *rows[i + 1 :])
    else:
        merged = (*rows[:i], (day, currency, Decimal(0) + amount), *rows[i:])
    horizon = months_before(merged[-1][0], RETAIN_MONTHS)
    if merged[0][0] <= horizon:
        merged = merged[_after(merged, horizon) :]
    return merged


def change_tier(
    partner: PartnerLedger, pv: ProgramVersion, new_tier: str, on: date, reason: str, cause: str
) -> tuple[PartnerLedger, Announcement]:
    event = PartnerTierChanged(
        partner_id=partner.partner_id,
        program_id=pv.program_id,
        previous_tier=partner.tier,
        tier=new_tier,
        effective_at=on,
        reason=reason,
        rule_version=pv.version,
    )
    announcement = Announcement(
        payload=event,
        time=business_time(on),
        event_id=announcement_id(partner.partner_id, cause, "tier", new_tier),
        causation_id=cause,
    )
    return evolve(partner, tier=new_tier, tier_since=on), announcement


def evaluate(
    partner: PartnerLedger, pv: ProgramVersion, on: date, cause: str
) -> tuple[PartnerLedger, list[Announcement]]:
    """Re-evaluation on an event: promote when a higher tier's thresholds are met (never demote)."""
    program = pv.program
    current = program.tiers.index(partner.tier)
    if current == len(program.tiers.levels) - 1:
        return partner, []  # at the top already: nothing to promote to (and no metrics to sum)
    m = metrics(partner, on, program)
    best = qualifying_index(program, m)
    if current >= 0 and best <= current:
        return partner, []
    level = program.tiers.levels[best]
    if current < 0 and partner.tier is None:
        reason = f"entry into {pv.label}: {m.describe()} qualifies for {level.id}"
    elif current < 0:
        reason = f"tier {partner.tier} does not exist in {pv.label}; {m.describe()} qualifies for {level.id}"
    else:
        reason = f"promoted: {m.describe()} meets the {level.id} thresholds of {pv.label}"
    partner, announcement = change_tier(partner, pv, level.id, on, reason, cause)
    return partner, [announcement]


def review(partner: PartnerLedger, pv: ProgramVersion, on: date) -> tuple[PartnerLedger, list[Announcement]]:
    """The yearly review on ``on``: keep the tier on its minimum activity, else fall to what qualifies."""
    program = pv.program
    cause = f"tier-review:{partner.partner_id}:{on.isoformat()}"
    m = metrics(partner, on, program)
    best = qualifying_index(program, m)
    current = program.tiers.index(partner.tier)
    keeps = current >= 0 and meets(program.tiers.levels[current].keep_thresholds, m)
    target = max(best, current) if keeps else best
    partner = evolve(partner, reviewed_through=on)
    level = program.tiers.levels[target]
    if level.id == partner.tier:
        return partner, []
    if keeps or target > current:
        reason = f"yearly review {on}: {m.describe()} meets the {level.id} thresholds of {pv.label}"
    else:
        kept = program.tiers.levels[current].keep_thresholds if current >= 0 else None
        needed = f" (keeping {partner.tier} needs {_needs(kept)})" if kept is not None else ""
        reason = f"yearly review {on}: {m.describe()} is below the minimum activity{needed}; now {level.id}"
    partner, announcement = change_tier(partner, pv, level.id, on, reason, cause)
    return partner, [announcement]


def review_dates(partner: PartnerLedger, pv_review_on: str, up_to: date) -> list[date]:
    """Review dates after the last one applied (or the enrolment) up to and including ``up_to``."""
    start = partner.reviewed_through or partner.enrolled_on
    if start is None:
        return []
    month, day = int(pv_review_on[:2]), int(pv_review_on[3:])
    dates = []
    for year in range(start.year, up_to.year + 1):
        candidate = date(year, month, day)
        if start < candidate <= up_to:
            dates.append(candidate)
    return dates


def apply_due_reviews(
    partner: PartnerLedger, catalog: Catalog, up_to: date, known_at: datetime
) -> tuple[PartnerLedger, list[Announcement]]:
    """Apply every yearly review due up to ``up_to`` (each under the version in force on its date)."""
    announcements: list[Announcement] = []
    current = catalog.for_partner(partner.partner_id, partner.program_id, up_to, known_at)
    if current is None:
        return partner, []
    for on in review_dates(partner, current.program.tiers.review_on, up_to):
        pv = catalog.for_partner(partner.partner_id, partner.program_id, on, known_at)
        if pv is None:
            partner = evolve(partner, reviewed_through=on)
            continue
        partner, made = review(partner, pv, on)
        announcements.extend(made)
    return partner, announcements


def _needs(thresholds: Thresholds) -> str:
    parts = [f"{thresholds.points} points"] if thresholds.points else []
    if thresholds.won_revenue:
        parts.append(" or ".join(f"{fmt(a)} {c}" for c, a in sorted(thresholds.won_revenue.items())) + " won revenue")
    return " and ".join(parts) or "nothing"
