"""Service processes started exactly as in production (console scripts), for fault injection."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from pydantic import SecretStr
from servicekit.settings import ServiceSettings

BIN = Path(sys.executable).parent


def settings_env(settings: ServiceSettings, prefix: str) -> dict[str, str]:
    """The environment that makes a process read exactly these settings."""
    env = dict(os.environ)
    plain = settings.model_dump(mode="json")
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            env[prefix + name.upper()] = value.get_secret_value()
        elif isinstance(plain[name], (dict, list)):
            env[prefix + name.upper()] = json.dumps(plain[name])
        else:
            env[prefix + name.upper()] = str(plain[name])
    return env


class ServiceProcess:
    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args = args
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        out = open(self.log, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(BIN / self.args[0]), *self.args[1:]],
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL: no cleanup, no graceful shutdown, wherever the process is."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.kills += 1

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None
