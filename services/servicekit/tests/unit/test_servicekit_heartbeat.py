"""The worker heartbeat and the liveness probe that reads it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from servicekit.alive import main as alive
from servicekit.heartbeat import Heartbeat, is_fresh


def test_a_beating_worker_is_alive_and_a_silent_one_is_not(tmp_path):
    path = tmp_path / "alive"
    assert not is_fresh(path, 60)  # never beat
    Heartbeat(str(path)).beat()
    assert is_fresh(path, 60)
    stale = time.time() - 120
    os.utime(path, (stale, stale))
    assert not is_fresh(path, 60)
    assert alive(["alive", str(path), "60"]) == 1
    Heartbeat(str(path)).beat()
    assert alive(["alive", str(path), "60"]) == 0


def test_no_path_means_no_file(tmp_path):
    Heartbeat(None).beat()
    assert list(tmp_path.iterdir()) == []


def test_the_probe_runs_as_a_module(tmp_path):
    path = tmp_path / "alive"
    Heartbeat(str(path)).beat()
    ok = subprocess.run([sys.executable, "-m", "servicekit.alive", str(path), "30"], check=False)
    missing = subprocess.run([sys.executable, "-m", "servicekit.alive", str(tmp_path / "nope")], check=False)
    assert (ok.returncode, missing.returncode) == (0, 1)
