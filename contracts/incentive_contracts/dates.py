"""The one date policy of the API edges: strict parsing, a plausible window, no facts from the future.

- A business date is a ``YYYY-MM-DD`` string (a ``date`` in Python) between 1970-01-01 and
  2999-12-31; integers, floats and other spellings are not dates (``as_of: 0`` is refused).
- A business timestamp is an ISO 8601 string with a time zone whose UTC date lies in that window.
- A fund or reporting period is ``YYYY-Qn`` with the year in 1970..2999 (:data:`PERIOD_PATTERN`).
- A fact (a close, a loss, a reversal, a stage change, an activity, an enrolment) cannot lie in the
  future beyond a small skew (:class:`DatePolicy`, one day by default and configurable); forecasts
  (expected close dates, activity plans) may. The services check facts against their own clock.

Recorded events keep their own types (a plain ``date``): the window applies where dates enter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Final

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

EARLIEST: Final = date(1970, 1, 1)
LATEST: Final = date(2999, 12, 31)
PERIOD_PATTERN: Final = r"^(19[7-9][0-9]|2[0-9]{3})-Q[1-4]$"
"""A period ``YYYY-Qn`` with the year in 1970..2999 (0000-Q1, 1969-Q4 and 9999-Q4 do not match)."""

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_WINDOW = f"must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}"


def _strict_date(value: object) -> date:
    if isinstance(value, datetime):
        raise ValueError("must be a date YYYY-MM-DD, not a timestamp")
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            value = date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"is not a calendar date: {exc}") from None
    if not isinstance(value, date):
        raise ValueError("must be a date YYYY-MM-DD")
    if not EARLIEST <= value <= LATEST:
        raise ValueError(_WINDOW)
    return value


def _no_number(value: object) -> object:
    """Numbers (and numeric strings, which a query string carries) are not timestamps."""
    if isinstance(value, int | float | bool) or (isinstance(value, str) and not _DATE.match(value[:10])):
        raise ValueError("must be an ISO 8601 timestamp with a time zone, like 2026-03-31T23:59:59Z")
    return value


def _timestamp_in_window(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a time zone (e.g. 2026-03-31T23:59:59Z)")
    try:
        day = value.astimezone(UTC).date()
    except OverflowError:
        raise ValueError(_WINDOW) from None
    if not EARLIEST <= day <= LATEST:
        raise ValueError(_WINDOW)
    return value


BusinessDate = Annotated[
    date, BeforeValidator(_strict_date), WithJsonSchema({"type": "string", "format": "date"}, mode="validation")
]
"""A date at an API edge: ``YYYY-MM-DD`` within 1970..2999, never a number."""

BusinessDateTime = Annotated[
    datetime,
    BeforeValidator(_no_number),
    AfterValidator(_timestamp_in_window),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="validation"),
]
"""A timestamp at an API edge: ISO 8601 with a time zone, its UTC date within 1970..2999."""


@dataclass(frozen=True)
class DatePolicy:
    """How far a fact may lie ahead of the service's clock (clocks and time zones differ a little)."""

    future_skew: timedelta = timedelta(days=1)

    def future_violation(self, value: date | datetime, today: date) -> str | None:
        """Why a fact dated ``value`` cannot have happened yet by ``today``, or None."""
        day = value.astimezone(UTC).date() if isinstance(value, datetime) else value
        latest = today + self.future_skew
        if day > latest:
            return f"lies in the future: {day.isoformat()} is after {latest.isoformat()}"
        return None

    def not_before_violation(self, value: date | datetime, earliest: date | None, what: str) -> str | None:
        """Why a fact dated ``value`` cannot be before ``earliest`` (the approval, the enrolment), or None."""
        day = value.astimezone(UTC).date() if isinstance(value, datetime) else value
        if earliest is not None and day < earliest:
            return f"is before {what} ({earliest.isoformat()})"
        return None
