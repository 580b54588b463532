"""``--dist loadgroup`` keeps an ``xdist_group``'s tests on one worker (the test plugin names the group
in the node id, as pytest-xdist's scheduler expects and pytest 9 no longer lets pytest-xdist do)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TESTS = """
import os
from pathlib import Path

import pytest

OUT = Path(__file__).with_name("workers")


def record(name):
    with OUT.open("a") as out:
        out.write(f"{name} {os.environ['PYTEST_XDIST_WORKER']}\\n")


@pytest.mark.xdist_group("together")
@pytest.mark.parametrize("n", range(6))
def test_grouped(n):
    record("grouped")


@pytest.mark.parametrize("n", range(6))
def test_free(n):
    record("free")
"""


def test_a_groups_tests_run_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_groups.py").write_text(TESTS)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    lines = [line.split() for line in (tmp_path / "workers").read_text().splitlines()]
    grouped = [worker for name, worker in lines if name == "grouped"]
    assert len(grouped) == 6
    assert len(set(grouped)) == 1, f"the group was spread over {sorted(set(grouped))}"
    assert len(lines) == 12
