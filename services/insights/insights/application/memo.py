"""Whole-program reads kept per read-model version, so a page that compares every partner (the ROI
table, the cohorts) is computed once per change of the read models instead of once per request.

The version counts the consumed batches that changed the read models, in their own transactions: any
applied batch (a parked event applied later too) or a rebuild gives a new version, and an entry of an
older version is never served. Only reads that depend on consumed events alone belong here (not on
rows people write through the API, such as alert acknowledgements).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class ReadModelVersion(Protocol):
    async def version(self) -> int:
        """How many consumed batches have changed the read models."""
        ...


class ResultMemo:
    """A bounded map of key -> (version, result); one computation per key at a time."""

    def __init__(self, capacity: int = 64) -> None:
        self.capacity = capacity
        self.computed = 0  # how many times a result was computed (not served from the memo)
        self._entries: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._locks: dict[Hashable, asyncio.Lock] = {}

    async def get(self, key: Hashable, version: int, compute: Callable[[], Awaitable[T]]) -> T:
        """The result for ``key`` at ``version``: kept, or computed now (concurrent callers wait for it)."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            kept = self._entries.get(key)
            if kept is not None and kept[0] == version:
                self._entries.move_to_end(key)
                result: T = kept[1]
                return result
            result = await compute()
            self.computed += 1
            self._entries[key] = (version, result)
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                evicted, _ = self._entries.popitem(last=False)
                self._locks.pop(evicted, None)
            return result
