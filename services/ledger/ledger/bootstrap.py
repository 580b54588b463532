"""The ledger's composition root: everything the API, the CLI and the workers are wired with."""

from __future__ import annotations

from dataclasses import dataclass

from incentive_contracts import topics
from incentive_kernel.clock import Clock
from servicekit.container import ServiceRuntime
from servicekit.metrics import ExtraMetrics

from .adapters.reconciliation_metrics import reconciliation_gauges
from .config import LedgerSettings

SOURCE = "/ledger"


@dataclass(frozen=True, kw_only=True)
class LedgerContainer:
    runtime: ServiceRuntime
    extra_metrics: ExtraMetrics

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
