"""Replay: 1,010,000 events (10,000 partner enrolments and 1,000,000 won deals) on Kafka.

1. The live path: a ``ledger projector`` process consumes them from offset 0 into a fresh database
   (its throughput and its peak memory at a million events). That ledger feeds the payout cut.
2. The auditors' path: ``ledger replay --target`` rebuilds journal and balances into another fresh
   database from the topics (seconds, events/s), and ``ledger verify --replayed`` checks every
   chain and that the replayed digest equals the live one.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from typing import Any

import orjson
from incentive_contracts import topics
from servicekit.kafka import ensure_topics
from servicekit.runner import all_topics

from .processes import BIN, python_module, service
from .projection import verify
from .report import ScenarioResult
from .run import APPLIED, CpuWindow, Run, wait_for_count


def has_command(name: str) -> bool:
    result = subprocess.run([str(BIN / "ledger"), name, "--help"], capture_output=True, check=False)  # noqa: S603
    return result.returncode == 0


def run_replay(run: Run) -> ScenarioResult:
    return asyncio.run(_replay(run))


async def replayed_ledger(run: Run) -> tuple[str, ScenarioResult]:
    """The ledger the projector built from the million events (once per run): the payout cut runs on it."""
    cached = run.shared.get("replayed")
    if cached is None:
        cached = await _build(run)
        run.shared["replayed"] = cached
    return cached  # type: ignore[return-value]


async def _replay(run: Run) -> ScenarioResult:
    live_url, result = await replayed_ledger(run)
    if has_command("replay"):
        await _auditor_replay(run, live_url, result)
    else:
        result.notes.append("no `ledger replay` command in this build: only the projector path was measured")
    return result


async def _build(run: Run) -> tuple[str, ScenarioResult]:
    sizes = run.sizes
    result = ScenarioResult("replay")
    prefix = run.prefix()
    topic = topics.prefixed(topics.REGISTRATION, prefix)
    live_url = run.stack.database("ledger", "replay_live")
    settings = run.ledger(live_url, prefix)
    await ensure_topics(settings, all_topics(prefix))
    total = sizes.replay_partners * (1 + sizes.replay_deals_per_partner)
    run.say(f"replay: producing {total:,} events onto {topic} (not timed)")
    producer = python_module(
        "producer",
        "benchmarks.producer",
        ["kafka", "--bootstrap", run.stack.bootstrap, "--topic", topic, "--partners", str(sizes.replay_partners),
         "--deals-per-partner", str(sizes.replay_deals_per_partner)],
        run.logdir,
    ).start(stdout=subprocess.PIPE)  # fmt: skip
    assert producer.popen is not None
    assert producer.popen.stdout is not None
    line = await asyncio.to_thread(producer.popen.stdout.readline)
    producer.wait_exit(timeout=120)
    produced: dict[str, Any] = orjson.loads(line)
    run.say(
        f"replay: {produced['events']:,} events produced in {produced['last_commit'] - produced['first_commit']:.0f}s"
    )
    run.shared["replay_settings"] = settings

    projector = service("ledger projector (from offset 0)", "ledger", ["projector"], run.env(settings), run.logdir)
    started = time.time()
    projector.start()
    window = CpuWindow(run, [projector])
    window.start()
    run.profiler.attach(projector, "projector")

    def sample(_: int) -> None:
        projector.sample_peak()

    try:
        done_at = await wait_for_count(
            live_url, APPLIED, total, within=7200, interval=0.2, alive=projector.alive, on_tick=sample
        )
        result.cpu_seconds.update(window.stop())
    finally:
        projector.stop()
    seconds = done_at - started
    check = await verify(live_url)
    run.say(f"replay: projector took {seconds:.0f}s ({total / seconds:,.0f} events/s); checks {check['checks']}")
    result.peak_rss_mb[projector.name] = projector.peak_mb
    result.metric(f"projector: {total / 1e6:.2f}M events from offset 0", seconds, "s")
    result.metric("projector events/s", total / seconds, "ev/s")
    result.metric(
        f"projector peak RSS at {total / 1e6:.2f}M events",
        projector.peak_mb,
        "MiB",
        target=run.targets.projector_rss_mb,
        higher_is_better=False,
    )
    result.details.update(events=total, projector_seconds=seconds, live=check, projector_rss=projector.rss_series)
    result.notes.append(
        f"{total:,} events ({sizes.replay_partners:,} enrolments, {total - sizes.replay_partners:,} won deals, each "
        f"a rebate and an MDF accrual entry); live ledger: {check['entries']:,} entries, checks {check['checks']}"
    )
    return live_url, result


async def _auditor_replay(run: Run, live_url: str, result: ScenarioResult) -> None:
    settings = run.shared["replay_settings"]
    target = run.stack.url(f"bench_replay_target_{run.stack.tag}")
    run.stack.adopt(target)
    env = run.env(settings)  # type: ignore[arg-type]
    workers = run.sizes.replay_workers
    replayer = service(
        "ledger replay", "ledger", ["replay", "--target", target, "--workers", str(workers), "--json"], env, run.logdir
    )
    run.say(f"replay: `ledger replay --workers {workers}` from Kafka offset 0 into a fresh database")
    started = time.time()
    replayer.start(stdout=subprocess.PIPE)
    run.profiler.attach(replayer, "replay")
    output = await asyncio.to_thread(replayer.output)
    code = replayer.wait_exit(timeout=60)
    seconds = time.time() - started
    if code != 0:
        raise RuntimeError(f"ledger replay exited with {code}; see {replayer.log}")
    report: dict[str, Any] = orjson.loads(output.strip().splitlines()[-1])
    events = int(report["events"])
    result.peak_rss_mb[replayer.name] = replayer.peak_mb
    result.cpu_seconds[replayer.name] = replayer.cpu_seconds  # its workers' included (it reaps them)
    for i, worker in enumerate(report.get("workers", []), start=1):
        result.peak_rss_mb[f"ledger replay worker {i} ({int(worker['events']):,} events)"] = worker["peak_rss_mb"]
    full_size = events >= run.targets.replay_events
    result.metric(
        f"`ledger replay` of {events / 1e6:.2f}M events", seconds, "s",
        target=run.targets.replay_seconds if full_size else None, higher_is_better=False,
    )  # fmt: skip
    # A scaled run is held to the rate the full-size target implies (1M events in 60 s: 16,667 ev/s).
    rate_target = run.targets.replay_events / run.targets.replay_seconds
    result.metric("`ledger replay` events/s", events / seconds, "ev/s", target=rate_target)
    result.details.update(replay_seconds=seconds, replay_workers=workers, replay_report=report)

    verifier = service(
        "ledger verify", "ledger", ["verify", "--replayed", target, "--workers", str(workers)], env, run.logdir
    )
    run.say(f"replay: `ledger verify --replayed --workers {workers}` (every chain, and the digests compared)")
    started, database_before = time.time(), run.stack.cpu()
    verifier.start(stdout=subprocess.PIPE)
    verdict = await asyncio.to_thread(verifier.output)
    code = verifier.wait_exit(timeout=60)
    verify_seconds = time.time() - started
    result.peak_rss_mb[verifier.name] = verifier.peak_mb
    # The verify's own CPU (its workers' included: it reaps them) and PostgreSQL's while it ran.
    result.cpu_seconds[verifier.name] = verifier.cpu_seconds
    for name, spent in run.stack.cpu().items():
        if name in database_before:
            result.cpu_seconds[f"{name} during ledger verify"] = round(spent - database_before[name], 2)
    result.metric(
        "`ledger verify --replayed`", verify_seconds, "s",
        target=run.targets.replay_seconds if full_size else None, higher_is_better=False,
    )  # fmt: skip
    result.details.update(verify_seconds=verify_seconds, verify_exit=code, verify_output=verdict[-2000:])
    same = code == 0
    result.notes.append(
        f"`ledger replay`: {events:,} events, digest {report.get('digest', {}).get('digest', '?')}; `ledger verify "
        f"--replayed`: {'every chain verifies and the replay matches the live ledger' if same else 'FAILED'}"
    )
