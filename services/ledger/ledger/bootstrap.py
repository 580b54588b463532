"""The ledger's composition root: everything the API, the CLI and the workers are wired with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from incentive_contracts import topics
from incentive_kernel.clock import Clock
from servicekit.container import ServiceRuntime
from servicekit.metrics import ExtraMetrics
from servicekit.unit_of_work import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncConnection

from .adapters.handbook_render import handbook_html, handbook_pdf
from .adapters.notice_book import OutboxNoticeAnnouncements, SqlNoticeBook
from .adapters.reconciliation_metrics import reconciliation_gauges
from .application.handbook import Handbook
from .application.notices import NoticeAnnouncements, NoticeBook
from .config import LedgerSettings

SOURCE = "/ledger"


@dataclass(frozen=True, kw_only=True)
class LedgerContainer:
    runtime: ServiceRuntime
    extra_metrics: ExtraMetrics
    notice_book: Callable[[AsyncConnection], NoticeBook] = SqlNoticeBook
    notice_announcements: Callable[[UnitOfWork], NoticeAnnouncements] = OutboxNoticeAnnouncements
    render_handbook_html: Callable[[Handbook], str] = handbook_html
    render_handbook_pdf: Callable[[Handbook], bytes] = handbook_pdf

    @property
    def settings(self) -> LedgerSettings:
        settings = self.runtime.settings
        assert isinstance(settings, LedgerSettings)
        return settings


def bootstrap(settings: LedgerSettings | None = None, *, clock: Clock | None = None) -> LedgerContainer:
    settings = settings or LedgerSettings()
    runtime = ServiceRuntime.build(
        settings,
        service="ledger",
        source=SOURCE,
        topic=topics.prefixed(topics.LEDGER, settings.topic_prefix),
        clock=clock,
    )
    return LedgerContainer(runtime=runtime, extra_metrics=reconciliation_gauges)
