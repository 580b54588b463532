"""The shared kernel's clock and page."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from incentive_kernel.clock import Clock, SystemClock
from incentive_kernel.paging import Page


def test_the_system_clock_reads_the_wall_clock_in_utc() -> None:
    clock: Clock = SystemClock()
    before = datetime.now(UTC)
    now = clock.now()
    assert now.tzinfo is UTC
    assert before <= now <= datetime.now(UTC) + timedelta(seconds=1)


def test_a_page_is_a_frozen_value_with_an_opaque_next_cursor() -> None:
    page = Page(items=[1, 2], next_cursor="abc")
    assert page == Page([1, 2], "abc")
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.next_cursor = None  # type: ignore[misc]
    assert Page[str]([], None).next_cursor is None
