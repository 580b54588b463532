"""Webhook ingest: signed generic-webhook deliveries for a sustained period against ONE
``registration api`` process, from a load generator in its own process (Debian's wrk with a Lua
script; an async httpx client process where wrk is not installed)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import shutil
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from registration.application.crm_shards import SPREAD_SQL
from servicekit.settings import DEV_WEBHOOK_SECRET

from .processes import Process, python_module
from .registration_api import RegistrationApi, partner_id
from .report import ScenarioResult
from .run import CpuWindow, Run, fetchval, wait_for_count

HERE = Path(__file__).resolve().parent
PROCESSED = "SELECT count(*) FROM crm_inbox WHERE processed_at IS NOT NULL"
# Deliveries applied so far by each crm-sync shard (a delivery's lowest shard applies it), as JSON.
PER_SHARD = f"""
SELECT coalesce(json_object_agg(shard, n ORDER BY shard), '{{}}')::text FROM (
    SELECT (SELECT min({SPREAD_SQL.format(b="b")} % $1) FROM unnest(record_buckets) AS b) AS shard, count(*) AS n
    FROM crm_inbox WHERE processed_at IS NOT NULL GROUP BY 1
) AS applied
"""
UPDATE_LAG = 100  # an update names the record created this many new records earlier


def delivery(index: int, partners: int, today: datetime) -> bytes:
    """Even indexes create a CRM record (stage open); odd ones send a later full snapshot of an
    earlier record at stage qualified (registered, auto-approved, then one stage gate)."""
    record = index // 2
    version = 1
    stage = "open"
    if index % 2 == 1 and record >= UPDATE_LAG:
        record -= UPDATE_LAG
        version, stage = 2, "qualified"
    fields = {
        "partner_id": partner_id(record % partners),
        "customer_name": f"Ingest Customer {record}",
        "customer_domain": f"r{record}.ingest.example.com",
        "product_line": ("cloud", "security", "networking")[record % 3],
        "amount": f"{5000 + record % 997}.00",
        "currency": "USD",
        "close_date": (today + timedelta(days=90)).date().isoformat(),
        "created_date": today.date().isoformat(),
        "stage": stage,
    }
    body = {
        "delivery_id": f"dl-{index}",
        "records": [{"record_id": f"opp-{record}", "version": version, "fields": fields}],
    }
    return orjson.dumps(body)


def sign(body: bytes, secret: bytes, timestamp: int) -> str:
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def write_requests(path: Path, count: int, partners: int) -> None:
    secret = DEV_WEBHOOK_SECRET.encode()
    now = datetime.now(UTC)
    stamp = int(time.time())
    with path.open("wb") as out:
        for index in range(count):
            body = delivery(index, partners, now)
            out.write(sign(body, secret, stamp).encode() + b"\t" + body + b"\n")


def run_ingest(run: Run) -> ScenarioResult:
    sizes = run.sizes
    result = ScenarioResult("ingest")
    api = RegistrationApi(run, "ingest").start()
    workers = api.crm_sync_workers(sizes.crm_sync_shards)
    try:
        api.enrol(sizes.ingest_partners)
        # Enough distinct deliveries for 2.5x the target rate; beyond that they would repeat (a repeat is
        # answered as a duplicate, which stores nothing: cheaper, so it would flatter the figure).
        count = int(sizes.ingest_seconds * run.targets.ingest_per_second * 2.5)
        requests_path = run.logdir / "webhooks.tsv"
        write_requests(requests_path, count, sizes.ingest_partners)
        run.say(f"ingest: {count:,} signed deliveries ready; {sizes.ingest_seconds:.0f}s against one API process")
        summary_path = run.logdir / "wrk-summary.json"
        generator = load_generator(run, requests_path, summary_path, api.base_url)
        # The API stores verified deliveries in crm_inbox and answers 202; the crm-sync shard workers
        # apply them meanwhile, on the same two cores, as in production.
        loaded = drive(run, api, workers, generator)
        applied_during, per_shard, result.cpu_seconds = loaded.applied, loaded.per_shard, loaded.cpu_seconds
        summary = json.loads(summary_path.read_text())
        # Then the worker alone (the API idle): how fast it works off the backlog the load left.
        stored_at_stop = int(asyncio.run(fetchval(api.database_url, "SELECT count(*) FROM crm_inbox")))
        drain_started = time.time()
        try:
            drained_at = asyncio.run(
                wait_for_count(
                    api.database_url,
                    # Applied = stored - pending, read through the pending index: counting the applied
                    # rows themselves scanned the whole inbox at each poll (PostgreSQL's CPU, not the worker's).
                    f"SELECT {stored_at_stop} - count(*) FROM crm_inbox WHERE processed_at IS NULL",
                    stored_at_stop,
                    within=max(60.0, sizes.ingest_seconds * 3),
                    interval=0.25,
                    alive=lambda: all(w.alive() for w in workers),
                )
            )
            drain_seconds: float | None = drained_at - drain_started
        except TimeoutError:
            drain_seconds = None
    finally:
        api.stop(workers)
    stored = int(asyncio.run(fetchval(api.database_url, "SELECT count(*) FROM crm_inbox")))
    deliveries = int(asyncio.run(fetchval(api.database_url, "SELECT count(*) FROM webhook_deliveries")))
    deals = int(asyncio.run(fetchval(api.database_url, "SELECT count(*) FROM deals")))
    outbox = int(asyncio.run(fetchval(api.database_url, "SELECT count(*) FROM outbox")))
    seconds = summary["duration_us"] / 1e6
    ok = summary["requests"] - summary["status_errors"]
    rate = ok / seconds
    applied_rate = applied_during / seconds
    result.peak_rss_mb = {
        api.process.name: api.process.peak_mb,
        **{worker.name: worker.peak_mb for worker in workers},
        f"load generator ({generator.name})": generator.peak_mb,
    }
    result.metric("signed webhooks/s (2xx)", rate, "req/s", target=run.targets.ingest_per_second)
    result.metric("p50 latency", summary["p50_us"] / 1000, "ms")
    result.metric(
        "p99 latency", summary["p99_us"] / 1000, "ms", target=run.targets.ingest_p99_ms, higher_is_better=False
    )
    result.metric("deliveries applied by crm-sync meanwhile", applied_rate, "req/s")
    result.metric("inbox backlog when the load stopped", stored - applied_during, "deliveries", higher_is_better=False)
    if drain_seconds is not None and drain_seconds > 0:
        result.metric("crm-sync working off that backlog alone", (stored - applied_during) / drain_seconds, "req/s")
    result.details.update(
        summary,
        seconds=seconds,
        applied_during_load=applied_during,
        backlog_drain_seconds=drain_seconds,
        deliveries_stored=stored,
        deliveries_recorded=deliveries,
        deals=deals,
        outbox_events=outbox,
        connections=sizes.ingest_connections,
        crm_sync_shards=len(workers),
        applied_during_load_per_shard=per_shard,
        distinct_deliveries=count,
    )
    wrapped = summary["issued"] > summary["loaded"]
    result.notes.append(
        f"{sizes.ingest_connections} connections, closed loop, {summary['requests']:,} responses "
        f"({summary['status_errors']} non-2xx, {summary['timeouts']} timeouts); {stored:,} deliveries stored in "
        f"crm_inbox (202), {applied_during:,} applied by {len(workers)} crm-sync shard worker(s) running "
        f"alongside (per shard {per_shard}; {deals:,} deals, {outbox:,} events in the outbox); "
        "half the deliveries create a record, half move an earlier one to qualified"
        + ("; the delivery list wrapped (repeats answered as duplicates)" if wrapped else "")
    )
    return result


@dataclass(frozen=True)
class LoadOutcome:
    applied: int  # deliveries the crm-sync workers applied while the load ran
    per_shard: dict[str, int]
    cpu_seconds: dict[str, float | None]


def drive(
    run: Run,
    api: RegistrationApi,
    workers: list[Process],
    load: Process,
    alongside: AbstractContextManager[object] | None = None,
) -> LoadOutcome:
    """The crm-sync workers and the load generator against the API until the load ends (``alongside``
    held open meanwhile): what the workers applied, and every process's CPU."""
    for worker in workers:
        worker.start()
    window = CpuWindow(run, [api.process, *workers])
    window.start()
    with alongside or nullcontext():
        load.start()
        run.profiler.attach(api.process, "api")
        for index, worker in enumerate(workers):
            run.profiler.attach(worker, f"crm-sync-{index}")
        load.wait_exit(timeout=run.sizes.ingest_seconds + 120)
    applied = int(asyncio.run(fetchval(api.database_url, PROCESSED)))
    per_shard = json.loads(asyncio.run(fetchval(api.database_url, PER_SHARD, len(workers))))
    cpu = {**window.stop(), f"load generator ({load.name})": load.cpu_seconds}
    api.process.sample_peak()
    return LoadOutcome(applied, per_shard, cpu)


def load_generator(
    run: Run, requests_path: Path, summary_path: Path, base_url: str, rate: float = 0, connections: int = 0
) -> Process:
    """wrk (or the httpx fallback) sending the requests file's deliveries over ``connections`` (default
    ``ingest_connections``): ``rate`` per second on an open-loop schedule, or with 0 as fast as the API
    answers (a closed loop)."""
    sizes = run.sizes
    connections = connections or sizes.ingest_connections
    wrk = shutil.which("wrk")
    env = {
        "BENCH_REQUESTS": str(requests_path),
        "BENCH_RESULT": str(summary_path),
        "BENCH_RATE": str(rate),
        "PATH": "/usr/bin:/bin",
    }
    if wrk:
        return Process(
            "wrk",
            [
                wrk,
                "-t1",
                f"-c{connections}",
                f"-d{int(sizes.ingest_seconds)}s",
                "--timeout",
                "5s",
                "-s",
                str(HERE / "wrk_generic.lua"),
                base_url,
            ],
            env,
            run.logdir / "wrk.log",
        )
    run.say("ingest: wrk not found; using the httpx load generator process")
    return python_module(
        "httpx loadgen",
        "benchmarks.loadgen",
        [
            base_url,
            str(requests_path),
            str(summary_path),
            str(connections),
            str(sizes.ingest_seconds),
            str(rate),
        ],
        run.logdir,
    )
