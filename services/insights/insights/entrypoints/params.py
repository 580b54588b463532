"""Query parameters the indicator and cohort routes share: currency, dates, period, cursor."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import Query
from incentive_contracts.currencies import is_currency
from incentive_contracts.dates import EARLIEST, LATEST
from servicekit import pagination

from ..domain.periods import Granularity, Period, parse_period, period_of
from .schemas import invalid

MAX_SPAN_DAYS = 20 * 366
DEFAULT_PERIODS = 8

CurrencyParam = Annotated[
    str | None,
    Query(pattern=r"^[A-Z]{3}$", description="ISO 4217 code of the figures (default: the reporting currency)"),
]
Limit = Annotated[int, Query(ge=1, le=200)]


def currency_of(currency: str | None, default: str) -> str:
    chosen = currency or default
    if not is_currency(chosen):
        raise invalid("currency", f"{chosen} is not an active ISO 4217 currency code")
    return chosen


def window(since: date | None, until: date | None, granularity: Granularity, today: date) -> tuple[date, date]:
    """The series' dates: by default the last eight periods up to today."""
    until = until or today
    if since is None:
        start = period_of(until, granularity).start
        for _ in range(DEFAULT_PERIODS - 1):
            start = period_of(start - timedelta(days=1), granularity).start
        since = start
    if since > until:
        raise invalid("since", "must not be after until")
    if (until - since).days > MAX_SPAN_DAYS:
        raise invalid("since", "the series spans at most twenty years")
    return since, until


def period_param(key: str | None, today: date) -> Period:
    if key is None:
        return period_of(today, "quarter")
    try:
        period = parse_period(key)
    except ValueError as exc:
        raise invalid("period", str(exc)) from exc
    if not EARLIEST <= period.start <= LATEST:
        raise invalid("period", f"the year must be between {EARLIEST.year} and {LATEST.year}")
    return period


def next_cursor(after: str | None) -> str | None:
    return None if after is None else pagination.encode_cursor(after)
