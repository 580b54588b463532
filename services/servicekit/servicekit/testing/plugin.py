"""Session fixtures: a PostgreSQL server and a Kafka-protocol broker, real ones.

``TEST_DATABASE_URL`` (a server URL, e.g. postgresql://postgres@127.0.0.1:5432/postgres) and
``TEST_KAFKA_BOOTSTRAP_SERVERS`` point the tests at running servers; otherwise each test session
starts an embedded PostgreSQL and an embedded broker of its own.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from _pytest.nodeid import NodeId

from ..embedded import EmbeddedBroker, EmbeddedPostgres
from .databases import DatabaseFactory, run_sync

# Third-party atexit hooks log after pytest closed its streams; never let that fail a run.
logging.raiseExceptions = False


# The session's own server is removed with its data directory when the session ends: it never has
# to survive a crash of the machine, so it skips flushing to disk (a checkpoint per CREATE and DROP
# DATABASE was a large part of a suite's time). Our processes are still killed for real by the
# fault-injection tests; what they committed stays in the server.
DISPOSABLE_SERVER = (
    "ALTER SYSTEM SET fsync = off",
    "ALTER SYSTEM SET full_page_writes = off",
    "SELECT pg_reload_conf()",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--dist loadgroup``: an item's ``xdist_group`` appended to its node id (``...::test@group``),
    the name pytest-xdist's scheduler keeps a group's tests together by. pytest-xdist 3.8 sets it as
    ``item._nodeid``, which pytest 9 no longer reads (a node's id is ``item._id``): every group was
    spread over the workers (two devstacks for the browser tests, crash tests side by side)."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        marks = item.iter_markers("xdist_group")
        names = {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in marks}
        if names and "@" not in item.nodeid:
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(sorted(names))}")


def _external_server() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


async def _configure_disposable(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        for statement in DISPOSABLE_SERVER:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    external = _external_server()
    if external:
        yield external
        return
    # Not under pytest's tmp dir: that is 0700 root, and the server runs as the postgres user.
    datadir = Path(tempfile.mkdtemp(prefix="ledger-test-pg-"))
    datadir.chmod(0o755)
    server = EmbeddedPostgres(datadir / "data")
    url = server.start()
    run_sync(lambda: _configure_disposable(url))
    try:
        yield url
    finally:
        server.stop()
        shutil.rmtree(datadir, ignore_errors=True)


FACTORY = pytest.StashKey[DatabaseFactory]()


@pytest.fixture(scope="session")
def database_factory(postgres_server_url: str, pytestconfig: pytest.Config) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(postgres_server_url)
    pytestconfig.stash[FACTORY] = factory
    try:
        yield factory
    finally:
        del pytestconfig.stash[FACTORY]
        if _external_server():  # an embedded server goes with its data directory
            factory.drop_all()


@pytest.fixture(autouse=True)
def _drop_test_databases(pytestconfig: pytest.Config) -> Iterator[None]:
    """A test's databases are dropped when it ends (after its other fixtures: autouse ones are set up
    first, so torn down last). Databases are for one test: never created in a wider-scoped fixture."""
    yield
    factory = pytestconfig.stash.get(FACTORY, None)
    if factory is not None:
        factory.drop_test_databases()


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker | None]:
    """The session's embedded broker (None when an external one is configured)."""
    if os.environ.get("TEST_KAFKA_BOOTSTRAP_SERVERS"):
        yield None
        return
    broker = EmbeddedBroker(log_path=Path(tmp_path_factory.mktemp("broker")) / "tansu.log")
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_broker: EmbeddedBroker | None) -> str:
    return os.environ.get("TEST_KAFKA_BOOTSTRAP_SERVERS") or (kafka_broker.bootstrap if kafka_broker else "")


@pytest.fixture
def topic_prefix() -> str:
    """A topic namespace of this test's own, so tests sharing a broker never see each other."""
    return f"t{uuid.uuid4().hex[:10]}."
