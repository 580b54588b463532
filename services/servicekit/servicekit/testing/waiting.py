"""Waiting in tests for what workers do in the background (events consumed, rows written)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

WAIT_STEP = 0.05


async def until(condition: Callable[[], Awaitable[bool]], within: float = 60.0) -> None:
    """Wait until the condition holds; fail after ``within`` seconds (a bound on a wait for events
    that never come, not a performance assertion)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition {condition.__name__} not met within {within}s")
        await asyncio.sleep(WAIT_STEP)
