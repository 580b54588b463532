"""The helpers the services' tests share: a settable business clock and a bounded wait."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from servicekit.testing.clock import SettableClock
from servicekit.testing.waiting import until


def test_the_clock_reads_noon_utc_of_the_day_it_is_set_to() -> None:
    clock = SettableClock(date(2026, 4, 1))
    assert clock.now() == datetime(2026, 4, 1, 12, tzinfo=UTC)
    clock.set(date(2026, 4, 18))
    assert clock.now() == datetime(2026, 4, 18, 12, tzinfo=UTC)


async def test_until_returns_once_the_condition_holds_and_fails_when_it_never_does() -> None:
    calls: list[int] = []

    async def third_time() -> bool:
        calls.append(1)
        return len(calls) >= 3

    await until(third_time)
    assert len(calls) == 3

    async def never() -> bool:
        return False

    with pytest.raises(AssertionError, match="condition never not met"):
        await until(never, within=0.1)
