"""``registration crm-sync`` without ``--shard``: one process per crm-sync shard, kept running.

Each shard's worker is CPU-bound Python, so the shards run as separate processes (``registration
crm-sync --shard I``), each with its own election: a second copy of this supervisor (another pod or
container) holds a hot standby for every shard. A child that exits is started again after a pause
(its standby elsewhere has taken the shard meanwhile); SIGTERM/SIGINT is passed on to the children
and the supervisor returns once they have stopped. With a heartbeat path, child ``I`` beats
``PATH.shardI`` and the supervisor beats ``PATH`` only while every child's beat is fresh, so a hung
shard fails the liveness probe of the whole process set.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import signal
import subprocess
import sys
import time
from types import FrameType

from servicekit.heartbeat import Heartbeat, is_fresh
from servicekit.logging import log_fields

log = logging.getLogger(__name__)

CHILD = "from registration.entrypoints.cli import main; main()"
STALE_SECONDS = 60.0  # a child's heartbeat older than this holds back the supervisor's
RESTART_PAUSE_SECONDS = 2.0


def _die_with_parent() -> None:
    """In the child (Linux): SIGTERM when the supervisor dies, even by SIGKILL, so no orphan keeps
    leading a shard beside the supervisor's replacement."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


def shard_heartbeat(path: str | None, index: int) -> str | None:
    return f"{path}.shard{index}" if path else None


class ShardSupervisor:
    def __init__(self, count: int, heartbeat_path: str | None) -> None:
        self.count = count
        self.heartbeat_path = heartbeat_path
        self.heartbeat = Heartbeat(heartbeat_path)
        self.children: list[subprocess.Popen[bytes]] = []
        self.stopping = False

    def start(self, index: int) -> subprocess.Popen[bytes]:
        argv = [sys.executable, "-c", CHILD, "crm-sync", "--shard", str(index)]
        return subprocess.Popen(argv, preexec_fn=_die_with_parent)  # noqa: S603 (fixed argv; no threads here)

    def stop(self, *_: int | FrameType | None) -> None:
        self.stopping = True
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        self.children = [self.start(i) for i in range(self.count)]
        started = time.monotonic()
        while True:
            codes = [child.poll() for child in self.children]
            if self.stopping:
                if all(code is not None for code in codes):
                    return 0
            else:
                for index, code in enumerate(codes):
                    if code is not None:
                        log.warning(
                            "crm-sync shard exited; starting it again", extra=log_fields(shard=index, code=code)
                        )
                        time.sleep(RESTART_PAUSE_SECONDS)
                        self.children[index] = self.start(index)
                if time.monotonic() - started < STALE_SECONDS or self._children_fresh():
                    self.heartbeat.beat()
            time.sleep(0.5)

    def _children_fresh(self) -> bool:
        return all(
            path is None or is_fresh(path, STALE_SECONDS)
            for path in (shard_heartbeat(self.heartbeat_path, i) for i in range(self.count))
        )
