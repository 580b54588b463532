"""The insights service's composition root: everything the API, the CLI and the consumer are wired with.

The one module that knows both the application's ports and the adapters that implement them: routes,
commands and the consumer take the container (or, below it, the factories named here) and never build
an adapter themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import httpx
from incentive_contracts import topics
from incentive_kernel.clock import Clock
from servicekit.container import ServiceRuntime
from servicekit.metrics import ExtraMetrics
from sqlalchemy.ext.asyncio import AsyncConnection

from .adapters.alert_metrics import alert_gauges
from .adapters.money_queries import SqlAlertQueries, SqlAnomalyQueries, SqlPayoutQueries, SqlRoiQueries
from .adapters.money_store import SqlMoneyWriter
from .adapters.peer_clients import HttpFlagDecisions, HttpLedgerReconciliation
from .adapters.queries import SqlInsightsQueries
from .adapters.read_models import SqlReadModels
from .adapters.rebuild import reset_read_models
from .adapters.threshold_files import load_threshold_sets
from .application.alerts import IndicatorSource
from .application.anomalies import FlagDecisions
from .application.drift_source import ReadModelIndicators, check_indicators
from .application.finance import LedgerReconciliation
from .application.memo import ResultMemo
from .application.money_ports import AlertQueries, AnomalyQueries, MoneyWriter, PayoutQueries, RoiQueries
from .application.ports import InsightsQueries, ReadModelStore
from .config import InsightsSettings
from .domain.drift import ThresholdSet
from .domain.roi import RoiMethod

SOURCE = "/insights"

Q = TypeVar("Q")


def read_model_store(conn: AsyncConnection) -> ReadModelStore:
    """The projection's store on the consumer's connection (the handler is built below the container)."""
    return SqlReadModels(conn)


def money_writer(conn: AsyncConnection) -> MoneyWriter:
    """The money read models' writer on one connection (the projection, alert evaluation and acknowledgement)."""
    return SqlMoneyWriter(conn)


@dataclass(frozen=True, kw_only=True)
class InsightsContainer:
    runtime: ServiceRuntime
    thresholds: tuple[ThresholdSet, ...]
    roi_method: RoiMethod
    flag_decisions: FlagDecisions
    ledger_reconciliation: LedgerReconciliation
    extra_metrics: ExtraMetrics
    # Whole-program reads (ROI, cohorts) kept per read-model version, for this process.
    memo: ResultMemo = field(default_factory=ResultMemo)
    # The query ports on one connection (a request's read connection, or a write's unit of work).
    queries: Callable[[AsyncConnection], InsightsQueries] = SqlInsightsQueries
    roi_queries: Callable[[AsyncConnection], RoiQueries] = SqlRoiQueries
    alert_queries: Callable[[AsyncConnection], AlertQueries] = SqlAlertQueries
    anomaly_queries: Callable[[AsyncConnection], AnomalyQueries] = SqlAnomalyQueries
    payout_queries: Callable[[AsyncConnection], PayoutQueries] = SqlPayoutQueries
    money_writer: Callable[[AsyncConnection], MoneyWriter] = SqlMoneyWriter

    @property
    def settings(self) -> InsightsSettings:
        settings = self.runtime.settings
        assert isinstance(settings, InsightsSettings)
        return settings

    @asynccontextmanager
    async def reading(self, queries: Callable[[AsyncConnection], Q]) -> AsyncIterator[Q]:
        """A query port on a read connection of its own (the reads of one request)."""
        async with self.runtime.engine.connect() as conn:
            yield queries(conn)

    def indicator_source(self, conn: AsyncConnection) -> IndicatorSource:
        """Indicator values per quarter over the read models, as the drift thresholds read them."""
        settings = self.settings
        return ReadModelIndicators(self.queries(conn), settings.reporting_currency, settings.engagement_points)

    async def forget_projection(self) -> int:
        """Empty the read models and forget what the consumer group consumed (``insights rebuild``);
        returns the events forgotten."""
        return await reset_read_models(self.runtime.engine, self.settings.consumer_group)


def bootstrap(
    settings: InsightsSettings | None = None,
    *,
    clock: Clock | None = None,
    registration: httpx.AsyncClient | None = None,
    ledger: httpx.AsyncClient | None = None,
) -> InsightsContainer:
    """``registration`` / ``ledger``: clients of those services' APIs (tests hand in in-process ones);
    by default built from ``INSIGHTS_REGISTRATION_URL`` / ``INSIGHTS_LEDGER_URL``."""
    settings = settings or InsightsSettings()
    runtime = ServiceRuntime.build(
        settings,
        service="insights",
        source=SOURCE,
        topic=topics.prefixed(topics.INSIGHTS, settings.topic_prefix),
        clock=clock,
    )
    thresholds = load_threshold_sets(settings.thresholds_dir)
    check_indicators(thresholds)
    timeout = httpx.Timeout(settings.peer_timeout_seconds)
    registration = registration or httpx.AsyncClient(base_url=settings.registration_url, timeout=timeout)
    ledger = ledger or httpx.AsyncClient(base_url=settings.ledger_url, timeout=timeout)
    return InsightsContainer(
        runtime=runtime,
        thresholds=thresholds,
        roi_method=RoiMethod(settings.roi_baseline_quarters, settings.roi_min_treated, settings.roi_min_comparison),
        flag_decisions=HttpFlagDecisions(registration),
        ledger_reconciliation=HttpLedgerReconciliation(ledger),
        extra_metrics=alert_gauges,
    )
