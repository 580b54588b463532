"""What every scenario gets: the stack, the sizes, a log directory, and service settings."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from ledger.config import LedgerSettings
from registration.config import RegistrationSettings
from rich.console import Console
from servicekit.db import sync_url

from .config import Sizes, Targets
from .processes import Process, cpu_seconds, settings_env
from .profiling import Profiler
from .stack import Stack


@dataclass
class Run:
    stack: Stack
    sizes: Sizes
    targets: Targets
    logdir: Path
    console: Console
    profiler: Profiler
    shared: dict[str, object] = field(default_factory=dict)  # what one scenario builds for another

    def say(self, message: str) -> None:
        self.console.print(f"[dim]{time.strftime('%H:%M:%S')}[/] {message}")

    def prefix(self) -> str:
        return f"b{uuid.uuid4().hex[:8]}."

    def registration(self, database_url: str, prefix: str, **extra: object) -> RegistrationSettings:
        return RegistrationSettings(
            environment="development",
            database_url=database_url,
            kafka_bootstrap_servers=self.stack.bootstrap,
            topic_prefix=prefix,
            topic_partitions=self.sizes.topic_partitions,
            log_level="WARNING",
            **extra,  # type: ignore[arg-type]
        )

    def ledger(self, database_url: str, prefix: str, **extra: object) -> LedgerSettings:
        return LedgerSettings(
            environment="development",
            database_url=database_url,
            kafka_bootstrap_servers=self.stack.bootstrap,
            topic_prefix=prefix,
            topic_partitions=self.sizes.topic_partitions,
            consumer_group=f"ledger-{prefix.rstrip('.')}",
            log_level="WARNING",
            **extra,  # type: ignore[arg-type]
        )

    @staticmethod
    def env(settings: RegistrationSettings | LedgerSettings) -> dict[str, str]:
        prefix = "LEDGER_" if isinstance(settings, LedgerSettings) else "REGISTRATION_"
        return settings_env(settings, prefix)


async def fetchval(url: str, sql: str, *args: object) -> Any:
    conn = await asyncpg.connect(sync_url(url))
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def wait_for_count(
    url: str,
    sql: str,
    expected: int,
    *,
    within: float,
    interval: float = 0.05,
    alive: Callable[[], bool] = lambda: True,
    on_tick: Callable[[int], Awaitable[None] | None] | None = None,
) -> float:
    """Poll ``sql`` (one integer) until it reaches ``expected``; returns the wall time it did."""
    conn = await asyncpg.connect(sync_url(url))
    deadline = time.monotonic() + within
    try:
        while True:
            value = int(await conn.fetchval(sql) or 0)
            if value >= expected:
                return time.time()
            if on_tick is not None:
                maybe = on_tick(value)
                if maybe is not None:
                    await maybe
            if time.monotonic() > deadline:
                raise TimeoutError(f"{value} of {expected} after {within}s: {sql}")
            if not alive():
                raise RuntimeError(f"a process died at {value} of {expected}; see the logs")
            await asyncio.sleep(interval)
    finally:
        await conn.close()


APPLIED = "SELECT coalesce(sum(applied_count), 0) FROM consumer_offsets"


class CpuWindow:
    """CPU seconds each process (and the embedded PostgreSQL and broker) used between start and stop."""

    def __init__(self, run: Run, processes: list[Process]) -> None:
        self.run = run
        self.processes = processes
        self._start: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        # An exited (unreaped) child still shows its CPU in /proc.
        now = {p.name: cpu_seconds(p.pid) for p in self.processes if p.popen is not None and p.popen.returncode is None}
        now.update(self.run.stack.cpu())
        return now

    def start(self) -> None:
        self._start = self._now()

    def stop(self) -> dict[str, float | None]:
        end = self._now()
        return {name: round(end[name] - self._start[name], 2) for name in end if name in self._start}
