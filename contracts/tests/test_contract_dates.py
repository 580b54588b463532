"""The one date policy of the API edges (issue 13, defect 5): strict dates, a window, periods, the skew."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from incentive_contracts.dates import PERIOD_PATTERN, BusinessDate, BusinessDateTime, DatePolicy
from pydantic import TypeAdapter, ValidationError

DATES: TypeAdapter[date] = TypeAdapter(BusinessDate)
TIMES: TypeAdapter[datetime] = TypeAdapter(BusinessDateTime)


@pytest.mark.parametrize("value", ["1970-01-01", "2026-03-02", "2999-12-31"])
def test_dates_in_the_window_are_accepted(value: str) -> None:
    assert DATES.validate_python(value) == date.fromisoformat(value)


@pytest.mark.parametrize(
    "value", [0, 20260301, "0", "20260301", "0001-01-01", "1969-12-31", "3000-01-01", "9999-12-31", "2026-02-30",
              "2026-3-1", " 2026-03-01", "2026-03-01T00:00:00Z", 1.5, None, True],
)  # fmt: skip
def test_numbers_other_spellings_and_implausible_dates_are_refused(value: Any) -> None:
    with pytest.raises(ValidationError):
        DATES.validate_python(value)


def test_timestamps_need_a_zone_and_the_window() -> None:
    assert TIMES.validate_python("2026-03-02T10:00:00Z") == datetime(2026, 3, 2, 10, tzinfo=UTC)
    for bad in ("9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "2026-03-02T10:00:00", "0", 0, "1e10"):
        with pytest.raises(ValidationError):
            TIMES.validate_python(bad)


@pytest.mark.parametrize(("period", "ok"), [("1970-Q1", True), ("2026-Q2", True), ("2999-Q4", True),
    ("0000-Q1", False), ("9999-Q4", False), ("1969-Q4", False), ("1544-Q3", False), ("2026-Q5", False)])  # fmt: skip
def test_periods_have_plausible_years(period: str, ok: bool) -> None:
    assert bool(re.fullmatch(PERIOD_PATTERN, period)) is ok


def test_facts_may_lie_at_most_the_skew_ahead() -> None:
    today = date(2026, 3, 2)
    policy = DatePolicy()
    assert policy.future_violation(date(2026, 3, 3), today) is None
    assert policy.future_violation(date(2026, 3, 4), today)
    assert policy.future_violation(datetime(2026, 3, 3, 23, 59, tzinfo=UTC), today) is None
    assert DatePolicy(future_skew=timedelta(0)).future_violation(date(2026, 3, 3), today)
    assert policy.not_before_violation(date(2026, 3, 1), date(2026, 3, 2), "the approval")
    assert policy.not_before_violation(date(2026, 3, 2), None, "the approval") is None
