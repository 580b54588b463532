"""Garbage-collector settings for long-lived processes (API servers, relays, consumers).

A batch of thousands of events allocates about a million short-lived objects. With CPython's
default thresholds (700, 10, 10) that triggers several full collections per batch, each walking
every live object: a third of a projector's CPU time went there. Objects made at start-up are
frozen (never scanned again) and the young generation is collected after 50,000 allocations
instead of 700. Reference counting still frees acyclic garbage at once; only cycles wait longer.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Callable
from functools import cache

BATCH_THRESHOLDS = (50_000, 20, 100)
LARGE_BATCH = 500  # records; below this, trimming the heap costs more than it returns


def tune_for_batches() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*BATCH_THRESHOLDS)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None  # glibc only
    except (OSError, AttributeError):
        return None


def release_freed_memory(records: int) -> None:
    """After a large batch, hand the heap pages it freed back to the OS (glibc keeps them otherwise:
    a projector's resident memory grew by 80 MB over its steady state without this)."""
    trim = _malloc_trim()
    if trim is not None and records >= LARGE_BATCH:
        trim(0)
