"""Replay: 1,000,000 events (10,000 partners x 100 won deals, plus their enrolments) replayed from
Kafka offset 0 into a fresh ledger database.

Uses ``ledger replay`` when the ledger has it (the auditors' command of issue 6); until then the
closest existing path: a ``ledger projector`` process on a fresh database with a new consumer
group, which reads every topic from offset 0, exactly what a replay does.
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


def has_replay_command() -> bool:
    result = subprocess.run([str(BIN / "ledger"), "replay", "--help"], capture_output=True, check=False)  # noqa: S603
    return result.returncode == 0


def run_replay(run: Run) -> ScenarioResult:
    return asyncio.run(_replay(run))


async def replayed_ledger(run: Run) -> tuple[str, ScenarioResult]:
    """The replayed ledger (built once per run): the payout cut runs on it."""
    cached = run.shared.get("replayed")
    if cached is None:
        cached = await _build(run)
        run.shared["replayed"] = cached
    return cached  # type: ignore[return-value]


async def _replay(run: Run) -> ScenarioResult:
    _, result = await replayed_ledger(run)
    return result


async def _build(run: Run) -> tuple[str, ScenarioResult]:
    sizes = run.sizes
    result = ScenarioResult("replay")
    prefix = run.prefix()
    topic = topics.prefixed(topics.REGISTRATION, prefix)
    led_url = run.stack.database("ledger", "replay")
    settings = run.ledger(led_url, prefix)
    await ensure_topics(settings, all_topics(prefix))
    total = sizes.replay_partners * (1 + sizes.replay_deals_per_partner)
    run.say(f"replay: producing {total:,} events onto {topic} (not timed)")
    producer = python_module(
        "producer",
        "benchmarks.producer",
        [
            "kafka",
            "--bootstrap",
            run.stack.bootstrap,
            "--topic",
            topic,
            "--partners",
            str(sizes.replay_partners),
            "--deals-per-partner",
            str(sizes.replay_deals_per_partner),
        ],
        run.logdir,
    ).start(stdout=subprocess.PIPE)
    assert producer.popen is not None
    assert producer.popen.stdout is not None
    line = await asyncio.to_thread(producer.popen.stdout.readline)
    producer.wait_exit(timeout=60)
    produced: dict[str, Any] = orjson.loads(line)
    run.say(
        f"replay: produced {produced['events']:,} events in {produced['last_commit'] - produced['first_commit']:.0f}s"
    )

    official = has_replay_command()
    if official:
        result.notes.append("`ledger replay` exists but its interface is not wired into the harness yet")
    path = "ledger projector from offset 0 into a fresh database (no `ledger replay` command yet)"
    replayer = service("ledger projector (replay)", "ledger", ["projector"], run.env(settings), run.logdir)
    started = time.time()
    replayer.start()
    window = CpuWindow(run, [replayer])
    window.start()
    run.profiler.attach(replayer, "replay")

    def sample(_: int) -> None:
        replayer.sample_peak()

    try:
        done_at = await wait_for_count(
            led_url, APPLIED, total, within=7200, interval=0.2, alive=replayer.alive, on_tick=sample
        )
        result.cpu_seconds = window.stop()
    finally:
        replayer.stop()
    seconds = done_at - started
    check = await verify(led_url)
    result.peak_rss_mb = {replayer.name: replayer.peak_mb, "producer": producer.peak_mb}
    result.metric("replay seconds", seconds, "s", target=run.targets.replay_seconds, higher_is_better=False)
    result.metric("replay events/s", total / seconds, "ev/s")
    result.metric(
        "projector peak RSS", replayer.peak_mb, "MiB", target=run.targets.projector_rss_mb, higher_is_better=False
    )
    result.details.update(events=total, seconds=seconds, path=path, **check)
    result.notes.append(
        f"{total:,} events ({sizes.replay_partners:,} enrolments, {total - sizes.replay_partners:,} won deals) "
        f"into a fresh database by {path}; {check['entries']:,} entries; checks {check['checks']}"
    )
    return led_url, result
