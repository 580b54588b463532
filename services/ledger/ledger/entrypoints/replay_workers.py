"""Partition-parallel ``ledger replay --workers N``.

The partners are split into N shares by the hash the producers' partitioner places their records by
(``Share``, ``kafka_key_hash``), so a share is whole partitions of every topic whose partition count
N divides: each worker process reads only those (and, of any other topic or of a database's log,
picks its share's records by their key undecoded), projects its share's events (and payout actions), and writes
its partners' journal, balances and state into the same fresh database in its own transaction. The
coordinator takes the journal's indexes and keys off before the workers start, puts them back (and
so checks them) once all have committed, and merges their digests: chains are per partner, and the
balances are digested again in one global order, so the digest is the one a single replay prints.
"""

from __future__ import annotations

import asyncio
import resource
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import asyncpg

from ..adapters.event_sources import ReplaySource, SourceStats, kafka_key_hash
from ..adapters.replay_indexes import defer_indexes, restore_in_parallel
from ..adapters.replay_setup import read_catalog
from ..adapters.replay_sink import ReplaySink
from ..application.projector import Rejected
from ..application.replay import ReplayReport, Share, replay
from ..domain.digest import LedgerDigest
from ..domain.payouts import PayoutAction
from .process_pool import advance, run_in_processes


class PartialReplay(RuntimeError):
    """A worker failed after others had committed: the target holds part of a replay."""


@dataclass(frozen=True)
class ShareJob:
    share: Share
    source: ReplaySource
    target_url: str  # asyncpg form
    catalog_url: str
    actions: list[PayoutAction]


@dataclass
class ShareResult:
    events: int
    duplicates: int
    rejected: list[Rejected]
    chains: dict[tuple[str, str], tuple[int, str]]
    balances: list[tuple[str, str, str, Decimal]] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    cpu_seconds: float = 0.0
    records_read: int = 0


def replay_share(job: ShareJob) -> ShareResult:
    """A worker process's whole job (a top-level function: the pool pickles it by name)."""
    return asyncio.run(_replay_share(job))


async def _replay_share(job: ShareJob) -> ShareResult:
    catalog = await read_catalog(job.catalog_url)
    conn = await asyncpg.connect(job.target_url)
    try:
        sink = ReplaySink(conn, catalog.versions, catalog.pilots, catalog.changes, owns_indexes=False)
        stats = SourceStats()
        async with conn.transaction():
            report = await replay(job.source.batches(job.share, stats), job.actions, sink, advance)
    finally:
        await conn.close()
    balances = [(p, a, c, v) for (p, a, c), v in sink.balances.items() if v]
    used = resource.getrusage(resource.RUSAGE_SELF)
    return ShareResult(
        report.events,
        report.duplicates,
        report.rejected,
        sink.digest.chains(),
        balances,
        peak_rss_mb=used.ru_maxrss / 1024,  # KiB on Linux
        cpu_seconds=used.ru_utime + used.ru_stime,
        records_read=stats.read,
    )


async def replay_in_parallel(
    source: ReplaySource,
    actions: list[PayoutAction],
    target: asyncpg.Connection,
    target_url: str,
    catalog_url: str,
    workers: int,
    progress: Callable[[int], None],
) -> ReplayReport:
    shares = [Share(i, workers, kafka_key_hash) for i in range(workers)]  # whole partitions of each topic
    jobs = [
        ShareJob(share, source, target_url, catalog_url, [a for a in actions if share.holds(a.partner_id)])
        for share in shares
    ]
    restore = await defer_indexes(target)
    try:
        results = await run_in_processes(replay_share, jobs, workers, progress)
    except Exception as exc:
        raise PartialReplay(
            f"a replay worker failed ({type(exc).__name__}: {exc}); the target database now holds part of "
            "a replay: drop it and replay again"
        ) from exc
    await restore_in_parallel(target_url, restore, workers)
    return _merged(results, len(actions))


def _merged(results: list[ShareResult], payouts: int) -> ReplayReport:
    digest = LedgerDigest()
    for result in results:
        for (partner_id, stream), (entries, chain_digest) in result.chains.items():
            digest.add_chain(partner_id, stream, entries, chain_digest)
    for partner_id, account, currency, balance in sorted(b for r in results for b in r.balances):
        digest.add_balance(partner_id, account, currency, balance)
    return ReplayReport(
        events=sum(r.events for r in results),
        duplicates=sum(r.duplicates for r in results),
        payouts=payouts,
        rejected=[rejected for r in results for rejected in r.rejected],
        digest=digest.summary(),
        workers=[_worker_figures(r) for r in results],
    )


def _worker_figures(result: ShareResult) -> dict[str, float]:
    return {
        "events": result.events,
        "records_read": result.records_read,
        "peak_rss_mb": result.peak_rss_mb,
        "cpu_seconds": result.cpu_seconds,
    }
