"""Liveness for workers that serve no HTTP: a file touched while the loop makes progress.

A relay or consumer whose loop stops turning (a hung connection, a deadlock) stops touching the
file; the liveness probe (``python -m servicekit.alive PATH MAX_AGE``) then fails and the process
is restarted. Exactly-once effects make a restart safe at any point.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


class Heartbeat:
    def __init__(self, path: str | None, *, every_seconds: float = 1.0) -> None:
        self.path = Path(path) if path else None
        self.every_seconds = every_seconds
        self._last = 0.0

    def beat(self) -> None:
        if self.path is None:
            return
        now = time.monotonic()
        if now - self._last < self.every_seconds:
            return
        self._last = now
        self.path.touch(exist_ok=True)
        os.utime(self.path)


def is_fresh(path: str | os.PathLike[str], max_age_seconds: float) -> bool:
    try:
        return time.time() - os.path.getmtime(path) <= max_age_seconds
    except OSError:
        return False
