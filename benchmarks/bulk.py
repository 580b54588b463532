"""Bulk registration: ``POST /deals/bulk`` (up to 5,000 deals in one transaction) against one
``registration api`` process, from a few concurrent clients; deals per second."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import orjson

from .registration_api import RegistrationApi, partner_id
from .report import ScenarioResult
from .run import CpuWindow, Run, fetchval


def bulk_body(batch: int, size: int, partners: int) -> bytes:
    today = datetime.now(UTC).date()
    deals = []
    for i in range(size):
        n = batch * size + i
        deals.append(
            {
                "deal_id": f"bulk-{n}",
                "partner_id": partner_id(n % partners),
                "customer_name": f"Bulk Customer {n}",
                "customer_domain": f"n{n}.bulk.example.com",
                "product_line": ("cloud", "security", "networking")[n % 3],
                "expected_amount": {"amount": f"{2500 + n % 5000}.50", "currency": "USD"},
                "expected_close": (today + timedelta(days=60 + n % 200)).isoformat(),
                "registered_on": today.isoformat(),
            }
        )
    return orjson.dumps({"deals": deals})


def run_bulk(run: Run) -> ScenarioResult:
    sizes = run.sizes
    result = ScenarioResult("bulk")
    api = RegistrationApi(run, "bulk").start()
    try:
        api.enrol(sizes.ingest_partners)
        batches = max(1, sizes.bulk_deals // sizes.bulk_batch)
        bodies = [bulk_body(b, sizes.bulk_batch, sizes.ingest_partners) for b in range(batches)]
        run.profiler.attach(api.process, "api")
        run.say(f"bulk: {batches} requests of {sizes.bulk_batch:,} deals from {sizes.bulk_clients} clients")
        window = CpuWindow(run, [api.process])
        window.start()
        seconds, latencies = asyncio.run(_send(api, bodies, sizes.bulk_clients))
        result.cpu_seconds = window.stop()
        api.process.sample_peak()
    finally:
        api.stop()
    deals = int(asyncio.run(fetchval(api.database_url, "SELECT count(*) FROM deals")))
    events = int(asyncio.run(fetchval(api.database_url, "SELECT count(*) FROM outbox")))
    rate = deals / seconds
    result.peak_rss_mb = {api.process.name: api.process.peak_mb}
    result.metric("deals registered/s", rate, "deals/s", target=run.targets.bulk_deals_per_second)
    latencies.sort()
    result.metric(f"request latency p50 ({sizes.bulk_batch:,} deals)", latencies[len(latencies) // 2] * 1000, "ms")
    result.details.update(
        deals=deals,
        outbox_events=events,
        seconds=seconds,
        requests=batches,
        batch=sizes.bulk_batch,
        clients=sizes.bulk_clients,
        latencies_s=latencies,
    )
    result.notes.append(
        f"{deals:,} deals in {batches} requests ({events:,} outbox events: registered + auto-approved), "
        f"{sizes.bulk_clients} concurrent clients, velocity flag raised out of the way"
    )
    return result


async def _send(api: RegistrationApi, bodies: list[bytes], clients: int) -> tuple[float, list[float]]:
    queue = list(enumerate(bodies))
    latencies: list[float] = []
    headers = {**api.headers, "Content-Type": "application/json"}

    async def client() -> None:
        async with httpx.AsyncClient(base_url=api.base_url, headers=headers, timeout=600) as http:
            while queue:
                _, body = queue.pop(0)
                sent = time.perf_counter()
                response = await http.post("/deals/bulk", content=body, headers={"Idempotency-Key": uuid.uuid4().hex})
                latencies.append(time.perf_counter() - sent)
                if response.status_code != 201:
                    raise RuntimeError(f"bulk failed: {response.status_code} {response.text[:300]}")

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return time.perf_counter() - started, latencies
