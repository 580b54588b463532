"""Jobs run in worker processes (one per core) with their progress summed into the parent's bar.

The auditors' commands (``ledger replay --workers``, ``ledger verify --workers``) spread CPU-bound
Python work over processes: each job is a top-level function the pool pickles by name; workers
report progress through one shared counter, which the parent reads every ``PROGRESS_EVERY`` seconds.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.sharedctypes import Synchronized
from typing import Any, TypeVar

PROGRESS_EVERY = 0.5  # seconds between progress updates from the workers' shared counter

Job = TypeVar("Job")
Result = TypeVar("Result")

_progress: Synchronized[int] | None = None


def _start_worker(counter: Synchronized[int]) -> None:
    global _progress
    _progress = counter


def advance(n: int) -> None:
    """Called in a worker: ``n`` more units of work done."""
    if _progress is not None:
        with _progress.get_lock():
            _progress.value += n


async def run_in_processes(
    work: Callable[[Job], Result], jobs: Sequence[Job], workers: int, progress: Callable[[int], None]
) -> list[Result]:
    """Every job's result, in the jobs' order; the first job's exception is raised once all are done."""
    context = multiprocessing.get_context("spawn")  # never fork a process with a running event loop
    counter: Any = context.Value("q", 0)
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(counter,)) as pool:
        running = asyncio.gather(*(loop.run_in_executor(pool, work, job) for job in jobs))
        reported = 0
        while not running.done():
            await asyncio.wait([running], timeout=PROGRESS_EVERY)
            progress(counter.value - reported)
            reported = counter.value
        return list(running.result())
