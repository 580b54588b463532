"""Calendar months and quarters as reporting periods (``2026-03``, ``2026-Q1``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Granularity = Literal["month", "quarter"]

_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^([0-9]{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # inclusive
    key: str

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def month_of(day: date) -> Period:
    return Period(date(day.year, day.month, 1), _month_end(day.year, day.month), f"{day.year}-{day.month:02d}")


def quarter_of(day: date) -> Period:
    first = 3 * ((day.month - 1) // 3) + 1
    return Period(date(day.year, first, 1), _month_end(day.year, first + 2), f"{day.year}-Q{(first + 2) // 3}")


def period_of(day: date, granularity: Granularity) -> Period:
    return month_of(day) if granularity == "month" else quarter_of(day)


def parse_period(key: str) -> Period:
    """``2026-03`` or ``2026-Q1``; ValueError for anything else."""
    if match := _MONTH.fullmatch(key):
        return month_of(date(int(match[1]), int(match[2]), 1))
    if match := _QUARTER.fullmatch(key):
        return quarter_of(date(int(match[1]), 3 * int(match[2]) - 2, 1))
    raise ValueError(f"{key!r} is not a period: use YYYY-MM or YYYY-Qn")


def periods_between(since: date, until: date, granularity: Granularity) -> list[Period]:
    """Every period from the one holding ``since`` to the one holding ``until``, in order."""
    periods: list[Period] = []
    current = period_of(since, granularity)
    while current.start <= until:
        periods.append(current)
        current = period_of(current.end + timedelta(days=1), granularity)
    return periods
