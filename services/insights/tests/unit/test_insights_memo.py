"""The memo of whole-program reads: computed once per read-model version, again when the version
moves, once for concurrent callers, and bounded."""

from __future__ import annotations

import asyncio

from insights.application.memo import ResultMemo


class Counting:
    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> int:
        self.calls += 1
        await asyncio.sleep(0.01)  # lets concurrent callers meet inside the computation
        return self.calls * 10


async def test_a_result_is_kept_until_the_read_models_change() -> None:
    memo, compute = ResultMemo(), Counting()
    assert await memo.get("roi", 1, compute) == 10
    assert await memo.get("roi", 1, compute) == 10
    assert compute.calls == 1
    assert await memo.get("roi", 2, compute) == 20  # a consumed batch changed them: computed again
    assert await memo.get("cohorts", 2, compute) == 30  # another key is its own entry
    assert memo.computed == 3


async def test_concurrent_callers_wait_for_one_computation() -> None:
    memo, compute = ResultMemo(), Counting()
    results = await asyncio.gather(*(memo.get("roi", 7, compute) for _ in range(5)))
    assert results == [10] * 5
    assert compute.calls == 1


async def test_the_least_recently_used_entry_goes_first() -> None:
    memo, compute = ResultMemo(capacity=2), Counting()
    await memo.get("a", 1, compute)
    await memo.get("b", 1, compute)
    await memo.get("a", 1, compute)  # a is used again: b is now the oldest
    await memo.get("c", 1, compute)
    assert compute.calls == 3
    await memo.get("a", 1, compute)
    assert compute.calls == 3
    await memo.get("b", 1, compute)  # evicted: computed again
    assert compute.calls == 4
