"""In-process CPU per won deal: the replay's deal stream projected through the in-memory store.

    .venv/bin/python -m benchmarks.won_deals [--deals 5000] [--partners 200] [--runs 5] [--replay] [--profile]

Partners enrolled in the built-in program each win deals (the ``replay`` scenario's events, without
Kafka or PostgreSQL); prints process CPU per won deal for each run and their median. ``--replay``
projects as a replay does (``announce=False``); ``--profile`` prints cProfile's top functions
instead (CPU clock). The cyclic collector is off, as in a replay. Wall-clock figures on a shared
machine swing; for before/after comparisons run both under ``valgrind --tool=callgrind`` and
compare instruction counts (subtract a ``--deals 0`` run).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import statistics
import time

from ledger.adapters.memory import MemoryLedger, MemoryLedgerStore
from ledger.application.projector import Incoming, project

from .events import deal_stream, enrolment, event_time

PARTNERS = 200
BATCH = 500


async def _project(events: list[Incoming], partners: int, announce: bool) -> float:
    """Enrol the partners, then project ``events`` in batches; the CPU seconds of the second part."""
    ledger = MemoryLedger()
    enrolments = [Incoming(f"en-{i}", enrolment(i), event_time(enrolment(i))) for i in range(partners)]
    store = MemoryLedgerStore(ledger)
    await project(store, enrolments)
    store.commit()
    started = time.process_time()
    for i in range(0, len(events), BATCH):
        store = MemoryLedgerStore(ledger)
        rejected = await project(store, events[i : i + BATCH], announce=announce)
        assert not rejected, rejected[:3]
        store.commit()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--partners", type=int, default=PARTNERS, help="partners winning them (the replay scenario: 100 deals each)"
    )
    parser.add_argument("--replay", action="store_true", help="project as a replay does: nothing announced")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    events = [
        Incoming(f"ev-{n}", payload, event_time(payload))
        for n, payload in enumerate(deal_stream(args.partners, args.deals, lifecycle=False))
    ]
    gc.freeze()
    gc.disable()
    if args.profile:
        profiler = cProfile.Profile(time.process_time)
        profiler.runcall(asyncio.run, _project(events, args.partners, not args.replay))
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return
    runs = [asyncio.run(_project(events, args.partners, not args.replay)) for _ in range(args.runs)]
    per_deal = [seconds / max(len(events), 1) * 1e6 for seconds in runs]
    print(f"{len(events)} won deals; CPU µs per won deal: {', '.join(f'{us:.1f}' for us in per_deal)}")
    print(f"median {statistics.median(per_deal):.1f} µs, min {min(per_deal):.1f} µs")


if __name__ == "__main__":
    main()
