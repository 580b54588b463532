"""``ledger verify --workers N``: the chains of both ledgers checked by N processes at once.

Recomputing every entry's hash is Python work of the same size as the journal; one process checked
the live ledger and then the replayed one. Here each ledger's partners are cut into ranges of about
equal size (a partner's chains are never split), every range of both ledgers is a job for the pool,
and each ledger's verdict is assembled from its ranges in partner order with its balances and chain
heads read here: the same findings and the same digest as one pass (``application.audit.assemble``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import asyncpg

from ..adapters.journal_reader import AUDIT_SESSION, JournalReader
from ..application.audit import (
    ChainsExamined,
    CountedOnce,
    Examined,
    PartnerRange,
    PostingsOutOfPlace,
    assembled,
    examine_chains,
    stored_checks,
    tiling,
)
from .process_pool import advance, run_in_processes

RANGES_PER_WORKER = 4  # more parts than processes, so one slow range does not leave a core idle


@dataclass(frozen=True)
class RangeJob:
    url: str  # asyncpg form
    within: PartnerRange
    by_entry: bool = False  # each entry's postings read by its own probe (see ``PostingsOutOfPlace``)


def examine_range(job: RangeJob) -> ChainsExamined:
    """A worker process's job (a top-level function: the pool pickles it by name)."""
    return asyncio.run(_examine_range(job))


async def _examine_range(job: RangeJob) -> ChainsExamined:
    conn = await asyncpg.connect(job.url, server_settings=AUDIT_SESSION)
    try:
        return await examine_chains(JournalReader(conn).links(job.within, job.by_entry), advance)
    finally:
        await conn.close()


async def examine_in_parallel(
    readers: Sequence[tuple[str, JournalReader]], workers: int, progress: Callable[[int], None]
) -> list[Examined]:
    """Each ledger's verdict (``readers``: its URL and a reader on it), its chains checked by ``workers``
    processes."""
    plans = [tiling(await reader.partner_cuts(workers * RANGES_PER_WORKER)) for _, reader in readers]
    jobs = [RangeJob(url, within) for (url, _), ranges in zip(readers, plans, strict=True) for within in ranges]
    # Balances and chain heads are read here while the workers check the chains (not after them).
    checked = asyncio.gather(*(stored_checks(reader) for _, reader in readers))
    counted = CountedOnce(progress)
    try:
        try:
            parts = await run_in_processes(examine_range, jobs, workers, counted)
        except PostingsOutOfPlace:  # a range read its postings by place and found one not filed with its entry
            counted.again()
            by_entry = [replace(job, by_entry=True) for job in jobs]
            parts = await run_in_processes(examine_range, by_entry, workers, counted)
        checks = await checked
    finally:
        if not checked.done():
            checked.cancel()
    verdicts: list[Examined] = []
    for ranges, stored in zip(plans, checks, strict=True):
        mine, parts = parts[: len(ranges)], parts[len(ranges) :]
        verdicts.append(assembled(mine, stored))
    return verdicts
