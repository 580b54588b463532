"""Garbage-collector settings for long-lived batch workers (relays, consumers).

A batch of thousands of events allocates about a million short-lived objects. With CPython's
default thresholds (700, 10, 10) that triggers several full collections per batch, each walking
every live object: a third of a projector's CPU time went there. Objects made at start-up are
frozen (never scanned again) and the young generation is collected after 50,000 allocations
instead of 700. Reference counting still frees acyclic garbage at once; only cycles wait longer.
"""

from __future__ import annotations

import gc

BATCH_THRESHOLDS = (50_000, 20, 100)


def tune_for_batches() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*BATCH_THRESHOLDS)
