"""The console's browser tests run against `make run`'s own stack (deploy/devstack/devstack.py, every
service's real processes) loaded by `make demo`'s loader (deploy/demo/demo.py, a smaller seeded slice),
driven by Playwright with Debian's chromium (the Makefile installs it; Playwright's own browser
download is never used). Screenshots go to test-artifacts/screenshots/ (git-ignored)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from servicekit.testing.consumers import TEST_CONSUMERS

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CONSOLE_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PARTNERS = 6  # of the demo's 36: every tier, two flagged wins, a CRM-fed partner, both pilot cohorts


@dataclass
class Stack:
    ports: dict[str, int]
    manifest: dict[str, Any]

    def url(self, service: str, path: str = "") -> str:
        return f"http://127.0.0.1:{self.ports[service]}{path}"

    def get(self, service: str, path: str, token: str | None = None) -> Any:
        request = urllib.request.Request(self.url(service, path))
        request.add_header("Authorization", f"Bearer {token or self.manifest['manager_token']}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def send(self, method: str, service: str, path: str, body: Any, token: str | None = None) -> tuple[int, Any]:
        """A write to a service's API (with an Idempotency-Key of its own): its status and JSON answer."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url(service, path), data=data, method=method)
        request.add_header("Authorization", f"Bearer {token or self.manifest['manager_token']}")
        request.add_header("Content-Type", "application/json")
        request.add_header("Idempotency-Key", f"browser-{uuid.uuid4().hex}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


# Ports below the kernel's ephemeral range (32768 and up on Linux): polling a port in that range
# before its server listens can connect the probe to itself (TCP self-connect, the same source and
# destination port), which echoes the request back and then holds the port the server needs.
PORTS_FROM, PORTS_TO = 10_000, 32_000


def _free_offset() -> int:
    """A port offset whose five API ports (8000..8004 + offset) are free, below the ephemeral range."""
    for _ in range(200):
        offset = random.randrange(PORTS_FROM, PORTS_TO - 5) - 8000
        if all(_free(8000 + offset + n) for n in range(5)):
            return offset
    raise RuntimeError("no free ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _kafka_port() -> int:
    for _ in range(200):
        port = random.randrange(PORTS_FROM, PORTS_TO)
        if _free(port):
            return port
    raise RuntimeError("no free port for the broker")


def _wait_ready(ports: dict[str, int], process: subprocess.Popen[bytes], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    waiting = dict(ports)
    while waiting and time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the devstack exited with {process.returncode}")
        for service, port in list(waiting.items()):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
                    if answer.status == 200:
                        del waiting[service]
            except OSError:
                pass
        time.sleep(0.5)
    if waiting:
        raise RuntimeError(f"not ready: {sorted(waiting)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C for the devstack we started (its own session): it stops every service it runs."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# Package-scoped: the browser tests are one xdist group (one worker, one after another), so the stack
# stops when they are done, not at the end of a session that goes on with other tests.
@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)")
    workdir = tmp_path_factory.mktemp("devstack")
    offset = _free_offset()
    ports = {
        name: 8000 + n + offset for n, name in enumerate(("ledger", "registration", "mdf", "insights", "governance"))
    }
    env = {
        **os.environ,
        "DEVSTACK_DIR": str(workdir),
        "DEVSTACK_PORT_OFFSET": str(offset),
        "DEVSTACK_KAFKA_PORT": str(_kafka_port()),
        "DEVSTACK_DATABASE_PREFIX": f"browser_{uuid.uuid4().hex[:8]}_",
        # Its consumers as the other tests run theirs: groups formed in ~1 s, events not held up to
        # 500 ms per hop by the embedded broker (servicekit.testing.consumers).
        **{f"{svc.upper()}_{name.upper()}": str(value) for svc in ports for name, value in TEST_CONSUMERS.items()},
    }
    server = os.environ.get("TEST_DATABASE_URL")
    if server:  # the machine's PostgreSQL, databases of our own; else the embedded one, as `make run`
        env["DATABASE_URL"] = server
    log = (workdir / "devstack.out").open("wb")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "deploy/devstack/devstack.py")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_ready(ports, process)
        manifest_path = workdir / "demo.json"
        subprocess.run(
            [sys.executable, str(ROOT / "deploy/demo/demo.py"), "--partners", str(PARTNERS),
             "--ledger", f"http://127.0.0.1:{ports['ledger']}", "--registration",
             f"http://127.0.0.1:{ports['registration']}", "--mdf", f"http://127.0.0.1:{ports['mdf']}",
             "--insights", f"http://127.0.0.1:{ports['insights']}",
             "--governance", f"http://127.0.0.1:{ports['governance']}",
             "--manifest", str(manifest_path)],
            check=True, env=env, timeout=600,
        )  # fmt: skip
        yield Stack(ports, json.loads(manifest_path.read_text()))
    finally:
        _stop(process)
        log.close()
        if (workdir / "logs").exists():
            shutil.copytree(workdir / "logs", ROOT / "test-artifacts" / "devstack-logs", dirs_exist_ok=True)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()
