"""Fresh, migrated databases per test, cloned from a migrated template per service.

A test's databases are dropped when the test ends (``drop_test_databases``, called by the plugin's
autouse fixture): a session then never holds more than one test's copies beside the templates (each
copy is ~10 MB of files; a merged session's hundreds of them made its server's data directory
gigabytes, written during the run and removed at its end)."""

from __future__ import annotations

import asyncio
import hashlib
import threading
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import asyncpg
from sqlalchemy.engine import make_url

from ..db import sync_url
from ..migrations import upgrade

T = TypeVar("T")
_pool = ThreadPoolExecutor(max_workers=2)


def run_sync(fn: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from sync or async code (on a private thread and loop)."""
    return _pool.submit(lambda: asyncio.run(fn())).result()  # type: ignore[arg-type]


def with_database(server_url: str, name: str) -> str:
    return make_url(sync_url(server_url)).set(database=name).render_as_string(hide_password=False)


async def execute_sql(database_url: str, sql: str) -> None:
    """Run ``sql`` (one or more statements) on its own connection to ``database_url``."""
    conn = await asyncpg.connect(sync_url(database_url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


class DatabaseFactory:
    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.session_tag = uuid.uuid4().hex[:6]
        self._templates: dict[Path, str] = {}
        self._created: list[str] = []  # the templates, kept for the whole session
        self._per_test: list[str] = []  # the databases of the test running now
        self._lock = threading.Lock()

    def _admin(self) -> str:
        return with_database(self.server_url, "postgres")

    def template(self, alembic_ini: Path) -> str:
        with self._lock:
            if alembic_ini not in self._templates:
                digest = hashlib.sha256(str(alembic_ini).encode()).hexdigest()[:6]
                name = f"tmpl_{alembic_ini.parent.name}_{digest}_{self.session_tag}"
                run_sync(lambda: self._execute(f'CREATE DATABASE "{name}"'))
                self._created.append(name)
                _pool.submit(upgrade, alembic_ini, with_database(self.server_url, name)).result()
                self._templates[alembic_ini] = name
            return self._templates[alembic_ini]

    def create(self, alembic_ini: Path, prefix: str = "t") -> str:
        """A new database with the service's migrations applied; returns its URL."""
        template = self.template(alembic_ini)
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        run_sync(lambda: self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        self._per_test.append(name)
        return with_database(self.server_url, name)

    def empty(self, prefix: str = "e") -> str:
        """A new database with nothing in it (for migration and replay tests)."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        run_sync(lambda: self._execute(f'CREATE DATABASE "{name}"'))
        self._per_test.append(name)
        return with_database(self.server_url, name)

    def drop_test_databases(self) -> None:
        """Drop the databases ``create`` and ``empty`` made since the last call (not the templates);
        whatever is still connected to them is disconnected."""
        with self._lock:
            names, self._per_test = self._per_test, []
        if names:
            run_sync(lambda: self._drop(names))

    def drop_all(self) -> None:
        self.drop_test_databases()
        run_sync(lambda: self._drop(self._created))

    async def _drop(self, names: list[str]) -> None:
        conn = await asyncpg.connect(self._admin())
        try:
            for name in reversed(names):
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    async def _execute(self, sql: str) -> None:
        conn = await asyncpg.connect(self._admin())
        try:
            await conn.execute(sql)
        finally:
            await conn.close()
