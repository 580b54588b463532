"""The governance service's composition root: everything the API, the CLI and the consumer are wired with."""

from __future__ import annotations

from dataclasses import dataclass

from incentive_contracts import topics
from incentive_kernel.clock import Clock
from servicekit.container import ServiceRuntime

from .config import GovernanceSettings
from .domain.benefit_rules import RuleBook
from .domain.dispute import DisputePolicy

SOURCE = "/governance"


@dataclass(frozen=True, kw_only=True)
class GovernanceContainer:
    runtime: ServiceRuntime
    rules: RuleBook
    disputes: DisputePolicy

    @property
    def settings(self) -> GovernanceSettings:
        settings = self.runtime.settings
        assert isinstance(settings, GovernanceSettings)
        return settings


def bootstrap(settings: GovernanceSettings | None = None, *, clock: Clock | None = None) -> GovernanceContainer:
    settings = settings or GovernanceSettings()
    runtime = ServiceRuntime.build(
        settings,
        service="governance",
        source=SOURCE,
        topic=topics.prefixed(topics.GOVERNANCE, settings.topic_prefix),
        clock=clock,
    )
    return GovernanceContainer(runtime=runtime, rules=settings.rule_book(), disputes=settings.dispute_policy())
