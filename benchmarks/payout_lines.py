"""In-process CPU of a payout cut: one ``POST /payout-batches`` through the ledger app (ASGI, no HTTP).

    .venv/bin/python -m benchmarks.payout_lines [--partners 2000] [--deals 3] [--runs 3] [--profile]

Starts its own embedded PostgreSQL, projects ``deals`` won deals for each of ``partners`` partners
(the ``replay`` scenario's events) into a migrated ledger once, then cuts USD as of now in a fresh
copy of it (``CREATE DATABASE ... TEMPLATE``) for each run: prints this process's CPU seconds per
cut (what the ledger api spends building, writing and announcing the lines; PostgreSQL's time is
not included) and the cut's wall-clock seconds (PostgreSQL's included: on a quiet machine, the cut
as ``POST /payout-batches`` takes it, less HTTP). ``--profile`` prints cProfile's top functions of
one cut instead (CPU clock; the stats are also written to ``$TMPDIR/payout_lines.prof``).
``--server URL`` uses a running server and keeps the filled base ledger there for the next run.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from incentive_contracts import topics
from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import Incoming, project
from ledger.config import LedgerSettings
from ledger.entrypoints.api import create_app
from servicekit.db import create_engine, sync_url
from servicekit.embedded import EmbeddedPostgres
from servicekit.gc_tuning import tune_for_batches
from servicekit.migrations import upgrade
from servicekit.testing.client import app_client, auth_header
from servicekit.testing.databases import with_database
from servicekit.unit_of_work import UnitOfWorkFactory

from .events import deal_events, enrolment, event_time

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "services" / "ledger" / "alembic.ini"
BATCH = 2000


async def _fill(url: str, partners: int, deals: int) -> None:
    payloads = [enrolment(i) for i in range(partners)]
    payloads += [e for d in range(deals) for p in range(partners) for e in deal_events(p, d, lifecycle=False)]
    incoming = [Incoming(f"ev-{n}", p, event_time(p)) for n, p in enumerate(payloads)]
    engine = create_engine(url, pool_size=1)
    try:
        factory = UnitOfWorkFactory(engine, source="/ledger", topic=topics.LEDGER)
        for i in range(0, len(incoming), BATCH):
            async with factory() as uow:
                assert await project(SqlLedgerStore(uow), incoming[i : i + BATCH], announce=False) == []
                await uow.commit()
    finally:
        await engine.dispose()


async def _cut(url: str, profile: cProfile.Profile | None) -> tuple[float, float]:
    """This process's CPU seconds for one cut, and the cut's wall-clock seconds (PostgreSQL's time included)."""
    settings = LedgerSettings(environment="test", database_url=url)
    async with app_client(create_app(settings)) as client:
        headers = auth_header(settings, "finance:write") | {"Idempotency-Key": uuid.uuid4().hex}
        body = {"currency": "USD", "cutoff": datetime.now(UTC).isoformat(), "minimum_amount": "0"}
        tune_for_batches()  # as ``ledger api`` does after building its app
        started, wall = time.process_time(), time.perf_counter()
        if profile is not None:
            profile.enable()
        response = await client.post("/payout-batches", json=body, headers=headers)
        if profile is not None:
            profile.disable()
        spent, wall = time.process_time() - started, time.perf_counter() - wall
    assert response.status_code == 201, response.text[:500]
    return spent, wall


async def _admin(server: str, sql: str) -> None:
    conn = await asyncpg.connect(with_database(server, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, default=2000)
    parser.add_argument("--deals", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--server", help="a running PostgreSQL server's URL: its base ledger is kept for next time")
    args = parser.parse_args()
    pg = None
    if args.server is None:
        pg = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="payout-lines-")) / "pgdata")
        args.server = pg.start()
    server = sync_url(args.server)
    try:
        asyncio.run(_measure(server, args))
    finally:
        if pg is not None:
            pg.stop()


async def _measure(server: str, args: argparse.Namespace) -> None:
    base_name = f"payout_base_{args.partners}_{args.deals}"
    conn = await asyncpg.connect(with_database(server, "postgres"))
    try:
        exists = await conn.fetchval("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", base_name)
    finally:
        await conn.close()
    if not exists:
        await _admin(server, f'CREATE DATABASE "{base_name}_new"')
        await asyncio.to_thread(upgrade, ALEMBIC_INI, with_database(server, f"{base_name}_new"))
        await _fill(with_database(server, f"{base_name}_new"), args.partners, args.deals)
        await _admin(server, f'ALTER DATABASE "{base_name}_new" RENAME TO "{base_name}"')
    runs: list[float] = []
    walls: list[float] = []
    for run in range(1 if args.profile else args.runs):
        name = f"cut_{uuid.uuid4().hex[:8]}"
        # FILE_COPY: the files copied and synced before the cut (WAL_LOG left gigabytes of dirty pages
        # to be written back while the cut ran, and doubled its statements' times).
        await _admin(server, f'CREATE DATABASE "{name}" TEMPLATE "{base_name}" STRATEGY FILE_COPY')
        profile = cProfile.Profile(time.process_time) if args.profile else None
        try:
            spent, wall = await _cut(with_database(server, name), profile)
            runs.append(spent)
            walls.append(wall)
        finally:
            await _admin(server, f'DROP DATABASE "{name}" WITH (FORCE)')
        print(f"run {run + 1}: {runs[-1]:.3f} CPU-s for {args.partners} lines, {walls[-1]:.3f} s wall-clock")
        if profile is not None:
            profile.dump_stats(f"{tempfile.gettempdir()}/payout_lines.prof")
            pstats.Stats(profile).sort_stats("cumulative").print_stats("ledger|servicekit|contracts", 60)
            pstats.Stats(profile).sort_stats("tottime").print_stats(40)
    median = statistics.median(runs)
    print(
        f"median {median:.3f} CPU-s ({median / args.partners * 1e6:.0f} µs per line), "
        f"{statistics.median(walls):.3f} s wall-clock"
    )


if __name__ == "__main__":
    main()
