"""Rebuild a ledger from its inputs: the consumed events in order, and the payout actions the ledger
announced (each applied at the point of its partner's history where it happened).

The same projection as the live projector, batch after batch; batch size never changes the result.
An event id is applied once (a broker may hold duplicates); an event the rules reject now was
rejected live too (dead-lettered) and is only counted.
"""

from __future__ import annotations

import gc
import zlib
from collections.abc import AsyncIterable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..domain.digest import LedgerDigest
from ..domain.payouts import PayoutAction
from .payout_schedule import PayoutSchedule
from .ports import LedgerStore
from .projector import Incoming, Rejected, post_payouts, project


def crc32_of(partner_id: str) -> int:
    return zlib.crc32(partner_id.encode())


@dataclass(frozen=True)
class Share:
    """One worker's part of a partition-parallel replay: the partners whose id hashes to ``index``
    (modulo ``count``) by ``key_hash`` (a top-level function: shares are pickled to the workers).

    A partner's whole history (its events, every stream, its payout actions) is in one share, and
    nothing the projection does for a partner reads another partner's state, so the shares replay
    independently and together give the same ledger as one replay. A Kafka replay hashes as the
    producers' partitioner does, so that a share is whole partitions of each topic."""

    index: int
    count: int
    key_hash: Callable[[str], int] = crc32_of

    def holds(self, partner_id: str) -> bool:
        return self.count == 1 or self.key_hash(partner_id) % self.count == self.index


EVERYTHING = Share(0, 1)


class ReplayTarget(LedgerStore, Protocol):
    digest: LedgerDigest

    async def start(self) -> None:
        """Get ready to take the whole ledger."""
        ...

    async def finish(self) -> None:
        """Write what is still held (state, balances, chain heads) and digest the balances."""
        ...


@dataclass
class ReplayReport:
    events: int = 0
    duplicates: int = 0
    payouts: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    digest: dict[str, str | int] = field(default_factory=dict)
    # a parallel replay's per worker: events, records read, peak MiB, CPU s
    workers: list[dict[str, float]] = field(default_factory=list)


async def replay(
    batches: AsyncIterable[Sequence[Incoming]],
    actions: Sequence[PayoutAction],
    target: ReplayTarget,
    progress: Callable[[int], None] = lambda n: None,
) -> ReplayReport:
    report = ReplayReport(payouts=len(actions))
    schedule = PayoutSchedule(actions)
    seen: set[str] = set()
    # Millions of long-lived state objects and no reference cycles: the cyclic collector would only rescan
    # them again and again (it costs more than the projection at a million events).
    await target.start()
    collecting = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        await _project_all(batches, target, schedule, seen, report, progress)
    finally:
        if collecting:
            gc.enable()
        gc.unfreeze()
    await post_payouts(target, schedule.remaining())
    await target.finish()
    report.digest = target.digest.summary()
    return report


async def _project_all(
    batches: AsyncIterable[Sequence[Incoming]],
    target: ReplayTarget,
    schedule: PayoutSchedule,
    seen: set[str],
    report: ReplayReport,
    progress: Callable[[int], None],
) -> None:
    async for batch in batches:
        fresh: list[Incoming] = []
        for incoming in batch:
            if incoming.event_id in seen:
                report.duplicates += 1
            else:
                seen.add(incoming.event_id)
                fresh.append(incoming)
        if fresh:
            rejected = await project(target, fresh, schedule, announce=False)  # the live ledger announced
            report.rejected += rejected
            seen.difference_update(r.event_id for r in rejected)  # like the inbox: not consumed
        report.events += len(batch)
        progress(len(batch))
