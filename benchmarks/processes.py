"""Service processes started exactly as in production (console scripts), and their peak memory."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
from pydantic import SecretStr
from servicekit.settings import ServiceSettings

BIN = Path(sys.executable).parent


def settings_env(settings: ServiceSettings, prefix: str) -> dict[str, str]:
    """The environment that makes a service process read exactly these settings."""
    env = dict(os.environ)
    plain = settings.model_dump(mode="json")
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            env[prefix + name.upper()] = value.get_secret_value()
        elif isinstance(plain[name], dict | list):
            env[prefix + name.upper()] = json.dumps(plain[name])
        else:
            env[prefix + name.upper()] = str(plain[name])
    return env


def peak_rss_mb(pid: int) -> float | None:
    """The kernel's high-water mark of the process's resident memory (VmHWM, reset at exec), in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Process:
    """One child process; remembers its peak RSS, read just before it is stopped."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str] | None, log: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log = log
        self.popen: subprocess.Popen[bytes] | None = None
        self.peak_mb: float | None = None
        self.cpu_seconds: float | None = None
        self.rss_series: list[tuple[float, float]] = []  # (seconds since start, RSS MiB), sampled
        self._started_at = 0.0
        self._last_series = 0.0

    def start(self, stdout: int | None = None, stdin: int | None = None) -> Process:
        self._started_at = time.monotonic()
        out = open(self.log, "ab")  # noqa: SIM115 - the child owns it
        self.popen = subprocess.Popen(  # noqa: S603 - our own console scripts and fixed tools
            self.argv,
            env=self.env,
            stdin=stdin,
            stdout=stdout if stdout is not None else out,
            stderr=out,
            start_new_session=True,
        )
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        """Still running; an exited child is left unreaped, so wait4 can still read its rusage."""
        if self.popen is None or self.popen.returncode is not None:
            return False
        try:
            return os.waitid(os.P_PID, self.popen.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
        except ChildProcessError:
            return False

    def sample_peak(self) -> float | None:
        if self.popen is not None and self.alive():
            peak = peak_rss_mb(self.popen.pid)
            if peak is not None:
                self.peak_mb = max(self.peak_mb or 0, peak)
            now = time.monotonic()
            if now - self._last_series >= 10:
                self._last_series = now
                with contextlib.suppress(psutil.Error):
                    rss = psutil.Process(self.popen.pid).memory_info().rss / 2**20
                    self.rss_series.append((round(now - self._started_at, 1), round(rss, 1)))
        return self.peak_mb

    def _reap(self, timeout: float | None) -> bool:
        """Wait for the exit with wait4, for its CPU times. Its ru_maxrss is not used: Linux counts
        the forked parent's resident pages before exec, so it reports at least the harness's RSS."""
        assert self.popen is not None
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.popen.returncode is None:
            pid, status, usage = os.wait4(self.popen.pid, os.WNOHANG)
            if pid:
                self.popen.returncode = os.waitstatus_to_exitcode(status)
                self.cpu_seconds = usage.ru_utime + usage.ru_stime
                return True
            self.sample_peak()
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def stop(self, timeout: float = 20) -> None:
        if self.popen is None or self.popen.returncode is not None:
            return
        self.sample_peak()
        self.popen.send_signal(signal.SIGTERM)
        if not self._reap(timeout):
            os.killpg(self.popen.pid, signal.SIGKILL)
            self._reap(None)

    def output(self) -> str:
        """Everything the process writes to stdout (started with stdout=PIPE), sampling its peak
        memory until it exits (VmHWM is gone once it has)."""
        assert self.popen is not None
        assert self.popen.stdout is not None
        chunks: list[bytes] = []
        reader = threading.Thread(target=lambda: chunks.append(self.popen.stdout.read()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        while reader.is_alive():
            self.sample_peak()
            reader.join(0.05)
        return b"".join(chunks).decode()

    def wait_exit(self, timeout: float | None = None) -> int:
        if not self._reap(timeout):
            raise TimeoutError(f"{self.name} still running after {timeout}s")
        assert self.popen is not None
        assert self.popen.returncode is not None
        return int(self.popen.returncode)


def python_module(name: str, module: str, args: list[str], logdir: Path) -> Process:
    return Process(name, [sys.executable, "-m", module, *args], None, logdir / f"{name.replace(' ', '-')}.log")


def service(name: str, service_name: str, command: list[str], env: dict[str, str], logdir: Path) -> Process:
    return Process(name, [str(BIN / service_name), *command], env, logdir / f"{name.replace(' ', '-')}.log")


def cpu_seconds(pid: int, with_children: bool = False) -> float:
    """User + system CPU of a running process (and of its reaped and live children)."""
    try:
        process = psutil.Process(pid)
        times = process.cpu_times()
        total = times.user + times.system
        if with_children:
            total += times.children_user + times.children_system
            for child in process.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    child_times = child.cpu_times()
                    total += child_times.user + child_times.system
        return float(total)
    except psutil.Error:
        return 0.0
