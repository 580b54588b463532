"""Fallback load generator (when wrk is not installed): an async httpx client in its own process.

    python -m benchmarks.loadgen BASE_URL REQUESTS_TSV SUMMARY_JSON CONNECTIONS SECONDS [RATE]

RATE (deliveries per second) sends on an open-loop schedule, as the wrk script does with BENCH_RATE;
without it (or 0) each connection sends its next request as soon as the last is answered.

Writes the same summary fields as the wrk script (latencies in microseconds).
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import httpx
import orjson


async def load(
    base_url: str, lines: list[list[bytes]], connections: int, seconds: float, rate: float = 0
) -> dict[str, float]:
    latencies: list[float] = []
    status_errors = 0
    timeouts = 0
    issued = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=5) as client:
        started = time.perf_counter()
        stop_at = started + seconds

        async def worker() -> None:
            nonlocal status_errors, timeouts, issued
            while time.perf_counter() < stop_at:
                signature, body = lines[issued % len(lines)]
                issued += 1
                if rate:  # the next free slot of the schedule
                    await asyncio.sleep(max(0.0, started + (issued - 1) / rate - time.perf_counter()))
                sent = time.perf_counter()
                try:
                    response = await client.post(
                        "/webhooks/generic",
                        content=body,
                        headers={"Content-Type": "application/json", "X-Signature": signature.decode()},
                    )
                except httpx.TimeoutException:
                    timeouts += 1
                    continue
                latencies.append(time.perf_counter() - sent)
                if response.status_code >= 400:
                    status_errors += 1

        await asyncio.gather(*(worker() for _ in range(connections)))
        duration = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> int:
        return int(latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1e6) if latencies else 0

    summary = {
        "requests": len(latencies),
        "duration_us": int(duration * 1e6),
        "bytes": 0,
        "connect_errors": 0,
        "read_errors": 0,
        "write_errors": 0,
        "status_errors": status_errors,
        "timeouts": timeouts,
        "issued": issued,
        "loaded": len(lines),
        "p50_us": pct(50),
        "p90_us": pct(90),
        "p99_us": pct(99),
        "max_us": int(latencies[-1] * 1e6) if latencies else 0,
        "mean_us": sum(latencies) / len(latencies) * 1e6 if latencies else 0,
    }
    return summary


if __name__ == "__main__":
    url, requests_file, summary_file, conns, secs = sys.argv[1:6]
    rate = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    requests = [line.split(b"\t", 1) for line in Path(requests_file).read_bytes().splitlines()]
    result = asyncio.run(load(url, requests, int(conns), float(secs), rate))
    Path(summary_file).write_bytes(orjson.dumps(result))
