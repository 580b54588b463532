"""servicekit's MemoryStore: a use case runs on a copy of the data, kept only when it succeeds."""

from __future__ import annotations

import pytest
from servicekit.units import MemoryStore


class ToyUnit:
    def __init__(self, store: ToyStore, data: dict[str, int]) -> None:
        self.store = store
        self.data = data

    def commit(self) -> None:
        self.store.data = self.data


class ToyStore(MemoryStore[dict[str, int]]):
    def unit(self) -> ToyUnit:
        return ToyUnit(self, self.copy())


async def test_a_use_case_that_succeeds_is_kept_and_one_that_raises_changes_nothing():
    store = ToyStore({"a": 1})

    async def add_b(unit: ToyUnit) -> int:
        unit.data["b"] = 2
        return len(unit.data)

    async def add_c_then_fail(unit: ToyUnit) -> None:
        unit.data["c"] = 3
        raise ValueError("refused")

    assert await store.run(add_b) == 2
    with pytest.raises(ValueError, match="refused"):
        await store.run(add_c_then_fail)
    assert store.data == {"a": 1, "b": 2}
