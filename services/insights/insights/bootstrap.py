"""The insights service's composition root: everything the API, the CLI and the consumer are wired with."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from incentive_contracts import topics
from incentive_kernel.clock import Clock
from servicekit.container import ServiceRuntime
from servicekit.metrics import ExtraMetrics

from .adapters.alert_metrics import alert_gauges
from .adapters.peer_clients import HttpFlagDecisions, HttpLedgerReconciliation
from .adapters.threshold_files import load_threshold_sets
from .application.anomalies import FlagDecisions
from .application.drift_source import check_indicators
from .application.finance import LedgerReconciliation
from .config import InsightsSettings
from .domain.drift import ThresholdSet
from .domain.roi import RoiMethod

SOURCE = "/insights"


@dataclass(frozen=True, kw_only=True)
class InsightsContainer:
    runtime: ServiceRuntime
    thresholds: tuple[ThresholdSet, ...]
    roi_method: RoiMethod
    flag_decisions: FlagDecisions
    ledger_reconciliation: LedgerReconciliation
    extra_metrics: ExtraMetrics

    @property
    def settings(self) -> InsightsSettings:
        settings = self.runtime.settings
        assert isinstance(settings, InsightsSettings)
        return settings


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
