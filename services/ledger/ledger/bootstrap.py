"""The ledger's composition root: everything the API, the CLI and the workers are wired with.

The one module that knows both the application's ports and the adapters that implement them:
routes, commands and workers take the container and never build an adapter themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date

from incentive_contracts import topics
from incentive_kernel.clock import Clock
from servicekit.container import ServiceRuntime
from servicekit.metrics import ExtraMetrics
from servicekit.unit_of_work import UnitOfWork, UnitOfWorkFactory
from sqlalchemy.ext.asyncio import AsyncConnection

from .adapters.handbook_render import handbook_html, handbook_pdf
from .adapters.notice_book import SqlNoticeBook
from .adapters.read_model import SqlLedgerQueries
from .adapters.reconcile_sources import PeerFactory as PeerFactory
from .adapters.reconcile_sources import open_sources, peer_clients
from .adapters.reconciliation_metrics import reconciliation_gauges
from .adapters.reconciliation_runs import TransactionalRunLog
from .adapters.unit import SqlLedgerUnit
from .application.handbook import Handbook
from .application.notices import NoticeBook
from .application.ports import LedgerUnit
from .application.queries import LedgerQueries
from .application.service_reconciliation import RunLog, Sources
from .config import LedgerSettings

SOURCE = "/ledger"


@dataclass(frozen=True, kw_only=True)
class LedgerContainer:
    runtime: ServiceRuntime
    extra_metrics: ExtraMetrics
    queries: LedgerQueries  # the read side of every route
    unit: Callable[[UnitOfWork], LedgerUnit]  # the write side: repositories over one unit of work
    peers: PeerFactory  # clients of the mdf and registration APIs (the reconciliation; tests hand in their own)
    run_log: RunLog = field(repr=False)  # stored cross-service reconciliation runs
    notice_book: Callable[[AsyncConnection], NoticeBook] = SqlNoticeBook  # reads; writes use unit(...).notices
    render_handbook_html: Callable[[Handbook], str] = handbook_html
    render_handbook_pdf: Callable[[Handbook], bytes] = handbook_pdf

    @property
    def settings(self) -> LedgerSettings:
        settings = self.runtime.settings
        assert isinstance(settings, LedgerSettings)
        return settings

    @property
    def clock(self) -> Clock:
        return self.runtime.clock

    @property
    def uow_factory(self) -> UnitOfWorkFactory:
        return self.runtime.uow_factory

    def today(self) -> date:
        return self.clock.now().date()

    @asynccontextmanager
    async def reading_notices(self) -> AsyncIterator[NoticeBook]:
        """The notice book on a connection of its own, for the reads of one request."""
        async with self.runtime.engine.connect() as conn:
            yield self.notice_book(conn)

    @asynccontextmanager
    async def reconciliation_sources(self) -> AsyncIterator[Sources]:
        """The sources of one cross-service reconciliation run (peer clients open while it runs)."""
        async with open_sources(self.settings, self.peers, self.runtime.engine) as sources:
            yield sources

    async def close(self) -> None:
        await self.runtime.close()


def bootstrap(
    settings: LedgerSettings | None = None, *, clock: Clock | None = None, peers: PeerFactory | None = None
) -> LedgerContainer:
    settings = settings or LedgerSettings()
    runtime = ServiceRuntime.build(
        settings,
        service="ledger",
        source=SOURCE,
        topic=topics.prefixed(topics.LEDGER, settings.topic_prefix),
        clock=clock,
    )
    return LedgerContainer(
        runtime=runtime,
        extra_metrics=reconciliation_gauges,
        queries=SqlLedgerQueries(runtime.engine),
        unit=SqlLedgerUnit,
        peers=peers or peer_clients,
        run_log=TransactionalRunLog(runtime.engine),
    )


def command_settings() -> LedgerSettings:
    """The settings of one command-line process (from the environment): one pooled connection is enough."""
    return LedgerSettings(database_pool_size=1)


@asynccontextmanager
async def running(
    settings: LedgerSettings | None = None, *, clock: Clock | None = None, peers: PeerFactory | None = None
) -> AsyncIterator[LedgerContainer]:
    """A container for one command (its pool closed at the end), as the CLI and the tests use it."""
    container = bootstrap(settings, clock=clock, peers=peers)
    try:
        yield container
    finally:
        await container.close()
