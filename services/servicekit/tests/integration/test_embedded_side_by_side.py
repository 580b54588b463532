"""Two test runs on one machine: each starts its own embedded PostgreSQL and broker, at the same time.

Each "run" is a child process (as two pytest sessions are), started together so their servers come
up concurrently; the test then writes through both databases and both brokers and checks that each
sees only its own data.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

RUN = r"""
import json, shutil, sys, tempfile
from pathlib import Path
from servicekit.embedded import EmbeddedBroker, EmbeddedPostgres
base = Path(tempfile.mkdtemp(prefix="side-by-side-")); base.chmod(0o755)
postgres, broker = EmbeddedPostgres(base / "data"), EmbeddedBroker()
try:
    print(json.dumps({"postgres": postgres.start(), "broker": broker.start(), "runtime": str(postgres.runtime_dir)}),
          flush=True)
    sys.stdin.read()  # until the test closes our stdin
finally:
    broker.stop()
    postgres.stop()
    shutil.rmtree(base, ignore_errors=True)
"""


def start_run() -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", RUN], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


async def use_postgres(url: str, value: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS marks (value text)")
        await conn.execute("INSERT INTO marks VALUES ($1)", value)
        return [r["value"] for r in await conn.fetch("SELECT value FROM marks")]
    finally:
        await conn.close()


async def use_broker(bootstrap: str, value: str) -> list[str]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait("marks", value.encode())
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer("marks", bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=5000)
        return [r.value.decode() for records in batches.values() for r in records if r.value is not None]
    finally:
        await consumer.stop()


async def test_two_runs_start_embedded_servers_at_once_and_use_them_apart() -> None:
    runs = [start_run(), start_run()]
    try:
        started = []
        for run in runs:
            assert run.stdout is not None
            line = await asyncio.to_thread(run.stdout.readline)
            assert line, f"an embedded run failed to start: {run.stderr.read() if run.stderr else ''}"
            started.append(json.loads(line))
        assert started[0]["postgres"] != started[1]["postgres"]
        assert started[0]["runtime"] != started[1]["runtime"]
        assert started[0]["broker"] != started[1]["broker"]
        marks = [uuid.uuid4().hex, uuid.uuid4().hex]
        seen_pg = await asyncio.gather(*(use_postgres(s["postgres"], m) for s, m in zip(started, marks, strict=True)))
        seen_kafka = await asyncio.gather(*(use_broker(s["broker"], m) for s, m in zip(started, marks, strict=True)))
        assert seen_pg == [[marks[0]], [marks[1]]]
        assert seen_kafka == [[marks[0]], [marks[1]]]
    finally:
        for run in runs:
            if run.stdin:
                run.stdin.close()
        for run in runs:
            run.wait(timeout=60)
    assert [run.returncode for run in runs] == [0, 0]
