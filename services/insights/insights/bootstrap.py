"""The insights service's composition root: everything the API, the CLI and the consumer are wired with."""

from __future__ import annotations

from dataclasses import dataclass

from incentive_contracts import topics
from incentive_kernel.clock import Clock
from servicekit.container import ServiceRuntime

from .config import InsightsSettings

SOURCE = "/insights"


@dataclass(frozen=True, kw_only=True)
class InsightsContainer:
    runtime: ServiceRuntime

    @property
    def settings(self) -> InsightsSettings:
        settings = self.runtime.settings
        assert isinstance(settings, InsightsSettings)
        return settings


def bootstrap(settings: InsightsSettings | None = None, *, clock: Clock | None = None) -> InsightsContainer:
    settings = settings or InsightsSettings()
    runtime = ServiceRuntime.build(
        settings,
        service="insights",
        source=SOURCE,
        topic=topics.prefixed(topics.INSIGHTS, settings.topic_prefix),
        clock=clock,
    )
    return InsightsContainer(runtime=runtime)
