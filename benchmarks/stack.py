"""The infrastructure a run uses: PostgreSQL and a Kafka-protocol broker, embedded unless
``DATABASE_URL`` / ``KAFKA_BOOTSTRAP_SERVERS`` name servers; fresh migrated databases per scenario."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import asyncpg
from servicekit.db import sync_url
from servicekit.embedded import EmbeddedBroker, EmbeddedPostgres
from servicekit.migrations import upgrade
from servicekit.testing.databases import with_database
from sqlalchemy.engine import make_url

from .config import ROOT
from .processes import cpu_seconds

T = TypeVar("T")

_thread = ThreadPoolExecutor(max_workers=1)


def _blocking(fn: Callable[[], T]) -> T:
    """Run on a private thread: callable from sync code and from inside an event loop alike."""
    return _thread.submit(fn).result()


ALEMBIC = {
    "registration": ROOT / "services/registration/alembic.ini",
    "ledger": ROOT / "services/ledger/alembic.ini",
    "mdf": ROOT / "services/mdf/alembic.ini",
    "insights": ROOT / "services/insights/alembic.ini",
}


class Stack:
    def __init__(self, workdir: Path, *, keep_databases: bool = False) -> None:
        """``keep_databases``: nothing is dropped (on a server ``DATABASE_URL`` names), for inspection."""
        self.workdir = workdir
        self.keep_databases = keep_databases
        self.tag = uuid.uuid4().hex[:6]
        self.postgres: EmbeddedPostgres | None = None
        self.broker: EmbeddedBroker | None = None
        self.server_url = ""
        self.bootstrap = ""
        self._pgdir: Path | None = None
        self._databases: list[str] = []
        self._templates: dict[str, str] = {}

    @property
    def embedded_broker(self) -> bool:
        return self.broker is not None

    def start(self) -> None:
        self.server_url = os.environ.get("DATABASE_URL", "")
        if not self.server_url:
            # Outside any 0700 directory: the server may run as the postgres user.
            self._pgdir = Path(tempfile.mkdtemp(prefix="bench-pg-"))
            self._pgdir.chmod(0o755)
            self.postgres = EmbeddedPostgres(self._pgdir / "data")
            self.server_url = self.postgres.start()
        self.bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "")
        if not self.bootstrap:
            self.start_broker()

    def start_broker(self) -> None:
        self.broker = EmbeddedBroker(log_path=self.workdir / "broker.log")
        self.bootstrap = self.broker.start()

    def restart_broker(self) -> None:
        """A fresh memory-only broker (frees what earlier scenarios produced); no-op for a real one."""
        if self.broker is not None:
            self.broker.stop()
            self.start_broker()

    @property
    def databases(self) -> list[str]:
        """The databases this run made (or adopted), in order."""
        return list(self._databases)

    def stop(self) -> None:
        if self.broker is not None:
            self.broker.stop()
        if not self.keep_databases and self.postgres is None:
            _blocking(lambda: asyncio.run(self._drop(self._databases)))
        if self.postgres is not None:
            self.postgres.stop()
        if self._pgdir is not None:
            shutil.rmtree(self._pgdir, ignore_errors=True)

    def cpu(self) -> dict[str, float]:
        """Cumulative CPU seconds of the embedded PostgreSQL (all backends) and broker, to diff."""
        found: dict[str, float] = {}
        if self._pgdir is not None:
            pid_file = self._pgdir / "data" / "postmaster.pid"
            with contextlib.suppress(OSError, ValueError):
                found["postgres (all backends)"] = cpu_seconds(int(pid_file.read_text().split()[0]), with_children=True)
        if self.broker is not None and self.broker.process is not None:
            found["broker (Tansu)"] = cpu_seconds(self.broker.process.pid)
        return found

    def url(self, database: str) -> str:
        return with_database(self.server_url, database)

    def database(self, service: str, label: str) -> str:
        """A new database with the service's migrations applied (cloned from a migrated template)."""
        if service not in self._templates:
            template = f"bench_tmpl_{service}_{self.tag}"
            _blocking(lambda: asyncio.run(self._execute(f'CREATE DATABASE "{template}"')))
            self._databases.append(template)
            _blocking(lambda: upgrade(ALEMBIC[service], self.url(template)))
            self._templates[service] = template
        name = f"bench_{label}_{self.tag}"
        source = self._templates[service]
        _blocking(lambda: asyncio.run(self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')))
        self._databases.append(name)
        return self.url(name)

    def adopt(self, url: str) -> None:
        """A database something else creates: dropped with the others at the end."""
        self._databases.append(str(make_url(url).database))

    def drop(self, url: str) -> None:
        if self.keep_databases:
            return
        name = str(make_url(url).database)
        _blocking(lambda: asyncio.run(self._drop([name])))
        if name in self._databases:
            self._databases.remove(name)

    async def _execute(self, sql: str) -> None:
        conn = await asyncpg.connect(sync_url(self.url("postgres")))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def _drop(self, names: list[str]) -> None:
        if not names:
            return
        conn = await asyncpg.connect(sync_url(self.url("postgres")))
        try:
            for name in reversed(names):
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    async def server_settings(self) -> dict[str, str]:
        conn = await asyncpg.connect(sync_url(self.url("postgres")))
        try:
            rows = await conn.fetch(
                "SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[])",
                ["server_version", "shared_buffers", "synchronous_commit", "fsync", "max_wal_size", "work_mem"],
            )
        finally:
            await conn.close()
        return {r["name"]: f"{r['setting']}{r['unit'] or ''}" for r in rows}
