"""Optional sampling profiles of the benchmarked processes (``--profile api,projector``): py-spy
attaches to the running process and writes collapsed stacks; ``summarize`` prints where time goes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from .processes import Process

PY_SPY = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")


class Profiler:
    def __init__(self, wanted: set[str], logdir: Path) -> None:
        self.wanted = wanted
        self.logdir = logdir
        self.running: list[tuple[subprocess.Popen[bytes], Path]] = []

    def attach(self, process: Process, role: str) -> None:
        """py-spy ``process`` if ``role`` was asked for, by its name or its kind (``crm-sync`` for ``crm-sync-1``)."""
        if role not in self.wanted and role.rstrip("0123456789").rstrip("-") not in self.wanted:
            return
        out = self.logdir / f"profile-{role}.txt"
        popen = subprocess.Popen(  # noqa: S603 - fixed tool
            [
                PY_SPY,
                "record",
                "--pid",
                str(process.pid),
                "--format",
                "raw",
                "--rate",
                "200",
                "--output",
                str(out),
                "--nonblocking",
                "--subprocesses",  # a replay's or a verify's workers are its children
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.running.append((popen, out))

    def finish(self) -> list[Path]:
        """py-spy stops and writes its file when the profiled process exits."""
        paths = []
        for popen, out in self.running:
            try:
                popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                popen.terminate()
                popen.wait()
            paths.append(out)
        self.running.clear()
        return paths


def summarize(path: Path, top: int = 25) -> str:
    """Self time and inclusive time per function from py-spy's collapsed stacks."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    lines = [f"{path.name}: {total} samples", "  self:"]
    lines += [f"    {n / total:6.1%}  {frame}" for frame, n in own.most_common(top)]
    lines.append("  inclusive:")
    lines += [f"    {n / total:6.1%}  {frame}" for frame, n in inclusive.most_common(top)]
    return "\n".join(lines)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(summarize(Path(arg), top=40))
