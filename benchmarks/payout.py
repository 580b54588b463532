"""Payout cut: ``POST /payout-batches`` on one ``ledger api`` process, for the replayed ledger
(10,000 partners holding 1,000,000 payable rebate entries); seconds for the cut."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import httpx
from servicekit.auth import mint_token
from servicekit.db import sync_url
from servicekit.embedded import free_port
from servicekit.settings import DEV_TOKEN_SECRET

from .processes import service
from .replay import replayed_ledger
from .report import ScenarioResult
from .run import CpuWindow, Run, fetchval


def run_payout(run: Run) -> ScenarioResult:
    led_url, _ = asyncio.run(replayed_ledger(run))
    result = ScenarioResult("payout")
    port = free_port()
    settings = run.ledger(led_url, run.prefix())
    api = service(
        "ledger api (payout)",
        "ledger",
        ["api", "--host", "127.0.0.1", "--port", str(port)],
        run.env(settings),
        run.logdir,
    )
    api.start()
    base = f"http://127.0.0.1:{port}"
    token = mint_token(DEV_TOKEN_SECRET, subject="finance-bench", scopes=["finance:write", "finance:read"])
    partners = int(asyncio.run(fetchval(led_url, "SELECT count(*) FROM ledger_partners")))
    payable = asyncio.run(
        fetchval(
            led_url,
            "SELECT coalesce(-sum(balance), 0) FROM balances "
            "WHERE account LIKE '%:rebates_payable' AND currency = 'USD'",
        )
    )
    entries = int(
        asyncio.run(
            fetchval(
                led_url, "SELECT count(*) FROM postings WHERE account LIKE '%:rebates_payable' AND currency = 'USD'"
            )
        )
    )
    visibility = asyncio.run(fetchval(led_url, VISIBILITY))
    try:
        _wait_ready(base, api.alive)
        run.profiler.attach(api, "payout")
        run.say(f"payout: cutting USD for {partners:,} partners holding {entries:,} payable entries")
        window = CpuWindow(run, [api])
        before = asyncio.run(server_writes(led_url))
        window.start()
        started = time.perf_counter()
        response = httpx.post(
            f"{base}/payout-batches",
            json={"currency": "USD", "cutoff": datetime.now(UTC).isoformat(), "minimum_amount": "0"},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
            timeout=3600,
        )
        seconds = time.perf_counter() - started
        result.cpu_seconds = window.stop()
        api.sample_peak()
    finally:
        api.stop()
    # Read once the api has stopped: a backend reports its WAL and I/O counters when it exits (or
    # idle, at most once a second), so this includes all the cut did, and what ran beside it.
    during = _minus(asyncio.run(server_writes(led_url)), before)
    if response.status_code != 201:
        raise RuntimeError(f"payout cut failed: {response.status_code} {response.text[:500]}")
    batch = response.json()
    ok = batch["line_count"] == partners and Decimal(batch["total"]) == Decimal(str(payable))
    result.peak_rss_mb = {api.name: api.peak_mb}
    result.metric("payout cut seconds", seconds, "s", target=run.targets.payout_seconds, higher_is_better=False)
    result.metric("lines/s", batch["line_count"] / seconds, "lines/s")
    result.details.update(
        seconds=seconds,
        partners=partners,
        payable_entries=entries,
        batch=batch,
        checks="passed" if ok else f"FAILED: expected {partners} lines totalling {payable}",
        all_visible_at_cut=visibility,
        server_writes_during_cut=during,
    )
    result.notes.append(
        f"one POST /payout-batches: {batch['line_count']:,} lines, total {batch['total']} USD over {entries:,} "
        f"payable entries; lines = partners and total = payable balances: {'yes' if ok else 'NO'}; "
        f"pages all-visible when cut (as of each table's last vacuum): {visibility}; the server while it cut: "
        + ", ".join(f"{name} {value:,}" for name, value in during.items())
    )
    return result


# The cut runs on the projector's ledger minutes after a million events were written to it: how far
# (auto)vacuum has come decides how much of the cut's reads are index-only, so runs are compared with it.
VISIBILITY = """
    SELECT string_agg(
        c.relname || ' ' || CASE WHEN s.last_vacuum IS NULL AND s.last_autovacuum IS NULL THEN 'never vacuumed'
                                 ELSE round(100.0 * c.relallvisible / greatest(c.relpages, 1)) || ' %' END,
        ', ' ORDER BY c.relname)
    FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
    WHERE c.relname IN ('postings', 'journal_entries')
"""


async def server_writes(url: str) -> dict[str, int]:
    """The whole server's write counters: WAL bytes and full-page images, checkpoints begun (timed or
    requested) and, where ``pg_stat_io`` exists (PostgreSQL 16+), blocks written back by each kind of
    process. Taken around the cut, they tell what else the server was writing meanwhile (a checkpoint
    or autovacuum after the scenario before it) from what the cut itself logged."""
    conn = await asyncpg.connect(sync_url(url))
    try:
        wal = await conn.fetchrow("SELECT wal_bytes, wal_fpi FROM pg_stat_wal")
        counters = {"WAL MB": int(wal["wal_bytes"]) // 1_000_000, "full-page images": int(wal["wal_fpi"])}
        checkpointer = await conn.fetchval("SELECT to_regclass('pg_catalog.pg_stat_checkpointer') IS NOT NULL")
        counters["checkpoints"] = await conn.fetchval(
            "SELECT num_timed + num_requested FROM pg_stat_checkpointer"
            if checkpointer  # PostgreSQL 17+; before, the background writer's view counted them
            else "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter"
        )
        if await conn.fetchval("SELECT to_regclass('pg_catalog.pg_stat_io') IS NOT NULL"):
            for row in await conn.fetch(
                "SELECT backend_type, sum(writes)::bigint AS writes FROM pg_stat_io "
                "WHERE object = 'relation' GROUP BY backend_type HAVING sum(writes) IS NOT NULL"
            ):
                counters[f"blocks written by {row['backend_type']}"] = int(row["writes"])
    finally:
        await conn.close()
    return counters


def _minus(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {name: value - before.get(name, 0) for name, value in after.items() if value != before.get(name, 0)}


def _wait_ready(base: str, alive: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if not alive():
            raise RuntimeError("ledger api exited; see its log")
        time.sleep(0.2)
    raise TimeoutError("ledger api not ready after 60 s")
