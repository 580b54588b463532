"""crm-sync under a sustained load: deliveries offered at a fixed rate (an open-loop schedule), not
as fast as the API answers, and whether the crm-sync worker keeps up with them on the same cores.

The ``ingest`` scenario drives the API as hard as it goes (what one API process can take); this one
offers ``crm_sync_per_second`` deliveries each second for ``ingest_seconds`` against a fresh
database, samples the inbox's pending backlog once a second, and reports how fast the backlog grew
over the second half of the load (the first half includes the workers' warm-up): keeping up means
it does not grow.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time

import asyncpg
from servicekit.db import sync_url

from .ingest import drive, load_generator, write_requests
from .registration_api import RegistrationApi
from .report import ScenarioResult
from .run import Run

PENDING = "SELECT count(*) FROM crm_inbox WHERE processed_at IS NULL"


class BacklogSampler:
    """The pending backlog once a second, on its own thread and connection, while the load runs."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._sample()), daemon=True)

    def __enter__(self) -> BacklogSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    async def _sample(self) -> None:
        conn = await asyncpg.connect(sync_url(self.database_url))
        started = time.monotonic()
        try:
            while not self._stop.is_set():
                self.samples.append((time.monotonic() - started, int(await conn.fetchval(PENDING))))
                await asyncio.sleep(1.0)
        finally:
            await conn.close()


def growth_per_second(samples: list[tuple[float, int]]) -> float:
    """The least-squares slope of the backlog over the second half of the samples (deliveries/s)."""
    tail = samples[len(samples) // 2 :]
    if len(tail) < 2:
        return 0.0
    mean_t = sum(t for t, _ in tail) / len(tail)
    mean_n = sum(n for _, n in tail) / len(tail)
    spread = sum((t - mean_t) ** 2 for t, _ in tail)
    return sum((t - mean_t) * (n - mean_n) for t, n in tail) / spread if spread else 0.0


def run_crm_sync(run: Run) -> ScenarioResult:
    sizes, rate = run.sizes, run.targets.crm_sync_per_second
    result = ScenarioResult("crm-sync")
    api = RegistrationApi(run, "crmsync").start()
    workers = api.crm_sync_workers(sizes.crm_sync_shards)
    try:
        api.enrol(sizes.ingest_partners)
        count = int(sizes.ingest_seconds * rate * 1.1)  # a schedule never wraps: every delivery is new
        requests_path = run.logdir / "webhooks-sustained.tsv"
        write_requests(requests_path, count, sizes.ingest_partners)
        run.say(f"crm-sync: {rate:,.0f} deliveries/s offered for {sizes.ingest_seconds:.0f}s")
        summary_path = run.logdir / "wrk-sustained-summary.json"
        load = load_generator(
            run, requests_path, summary_path, api.base_url, rate=rate, connections=sizes.sustained_connections
        )
        sampler = BacklogSampler(api.database_url)
        loaded = drive(run, api, workers, load, alongside=sampler)
        result.cpu_seconds = loaded.cpu_seconds
    finally:
        api.stop(workers)
    summary = json.loads(summary_path.read_text())
    seconds = summary["duration_us"] / 1e6
    accepted = summary["requests"] - summary["status_errors"]
    samples, applied, per_shard = sampler.samples, loaded.applied, loaded.per_shard
    backlog = samples[-1][1] if samples else 0
    result.peak_rss_mb = {api.process.name: api.process.peak_mb, **{w.name: w.peak_mb for w in workers}}
    result.metric("deliveries offered and accepted/s", accepted / seconds, "req/s", target=rate * 0.99)
    result.metric("p99 latency at that rate", summary["p99_us"] / 1000, "ms")
    result.metric("deliveries applied by crm-sync/s", applied / seconds, "req/s", target=rate * 0.99)
    result.metric(
        "backlog growth, second half",
        growth_per_second(samples),
        "deliveries/s",
        target=rate * 0.01,
        higher_is_better=False,
    )
    result.metric("backlog when the load stopped", backlog, "deliveries", higher_is_better=False)
    result.details.update(
        summary,
        seconds=seconds,
        rate=rate,
        applied_during_load=applied,
        applied_per_shard=per_shard,
        crm_sync_shards=len(workers),
        backlog_samples=samples,
    )
    result.notes.append(
        f"{rate:,.0f} deliveries/s offered on an open-loop schedule over {sizes.sustained_connections} connections; "
        f"{accepted:,} accepted, {applied:,} applied by {len(workers)} crm-sync shard worker(s) while the load ran "
        f"(per shard {per_shard}); backlog sampled each second: peak {max((n for _, n in samples), default=0):,}, "
        f"{backlog:,} at the end"
    )
    return result
