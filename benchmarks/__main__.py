"""python -m benchmarks [--only projection,replay] [--scale 0.1] [--out bench-results] [--keep-databases]"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from .config import ROOT, SCENARIOS, Sizes, Targets, scale_from_env
from .profiling import Profiler, summarize
from .report import ScenarioResult, print_report, write_json
from .run import Run
from .stack import Stack


def _scenarios() -> dict[str, Callable[[Run], ScenarioResult]]:
    from .bulk import run_bulk
    from .console import run_console
    from .crm_sync import run_crm_sync
    from .ingest import run_ingest
    from .payout import run_payout
    from .projection import run_projection
    from .replay import run_replay

    return {
        "ingest": run_ingest,
        "crm-sync": run_crm_sync,
        "bulk": run_bulk,
        "projection": run_projection,
        "replay": run_replay,
        "payout": run_payout,
        "console": run_console,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", action="append", default=[], help=f"comma-separated subset of {', '.join(SCENARIOS)}")
    parser.add_argument("--scale", type=float, default=None, help="multiply the sizes (default: BENCH_SCALE or 1)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results", help="where the JSON goes")
    parser.add_argument(
        "--profile",
        default="",
        help="py-spy the named processes: api, crm-sync, relay, projector, replay, payout (comma-separated)",
    )
    parser.add_argument(
        "--projectors", type=int, default=None, help="ledger projector processes (default: one per core)"
    )
    parser.add_argument(
        "--replay-workers", type=int, default=None, help="`ledger replay --workers` (default: one per core)"
    )
    parser.add_argument(
        "--keep-databases",
        action="store_true",
        help="drop nothing: every scenario's database stays on the server DATABASE_URL names, for inspection",
    )
    args = parser.parse_args(argv)
    if args.keep_databases and not os.environ.get("DATABASE_URL"):
        parser.error("--keep-databases needs DATABASE_URL: the embedded server's data goes with it")
    only = [s for item in args.only for s in item.split(",") if s] or list(SCENARIOS)
    unknown = set(only) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    scale = args.scale if args.scale is not None else scale_from_env()
    sizes = Sizes().scaled(scale)
    projectors = args.projectors or int(os.environ.get("BENCH_PROJECTORS", "0"))
    if projectors:
        sizes = dataclasses.replace(sizes, projectors=projectors)
    if args.replay_workers:
        sizes = dataclasses.replace(sizes, replay_workers=args.replay_workers)
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    logdir = workdir / "logs"
    logdir.mkdir()
    stack = Stack(workdir, keep_databases=args.keep_databases)
    stack.start()
    profiler = Profiler({p for p in args.profile.split(",") if p}, logdir)
    run = Run(stack=stack, sizes=sizes, targets=Targets(), logdir=logdir, console=console, profiler=profiler)
    run.say(
        f"scale {scale}; PostgreSQL {'embedded' if stack.postgres else 'from DATABASE_URL'}, "
        f"broker {'embedded (Tansu, memory)' if stack.embedded_broker else stack.bootstrap}; logs in {logdir}"
    )
    results: list[ScenarioResult] = []
    failures: list[str] = []
    scenarios = _scenarios()
    try:
        pg_settings = asyncio.run(stack.server_settings())
        for name in SCENARIOS:
            if name not in only:
                continue
            started = time.monotonic()
            run.say(f"[bold]{name}[/]")
            try:
                results.append(scenarios[name](run))
            except Exception as exc:  # report what ran; name what failed
                console.print_exception(max_frames=8)
                failures.append(f"{name}: {type(exc).__name__}: {exc}")
            run.say(f"{name} took {time.monotonic() - started:.0f}s")
            for path in profiler.finish():
                if path.exists():
                    console.print(summarize(path))
            stack.restart_broker()
    finally:
        stack.stop()
    print_report(results, console)
    path = write_json(
        results,
        args.out,
        {
            "scale": scale,
            "sizes": sizes.__dict__,
            "postgres": pg_settings,
            "failures": failures,
            "bench_scale_env": os.environ.get("BENCH_SCALE"),
        },
    )
    console.print(f"figures written to {path}")
    if args.keep_databases:
        console.print(f"databases kept: {', '.join(stack.databases)}")
    for failure in failures:
        console.print(f"[red]failed[/] {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
