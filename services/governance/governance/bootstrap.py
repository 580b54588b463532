"""The governance service's composition root: everything the API, the CLI, the consumer and the
webhook worker are wired with.

The one module that knows both the application's ports and the adapters that implement them: routes,
commands and workers take the container (the consumer's handler, built below it, :func:`governance_unit`)
and never build an adapter themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date

import httpx
from incentive_contracts import topics
from incentive_kernel.clock import Clock
from servicekit.container import ServiceRuntime
from servicekit.unit_of_work import UnitOfWork

from .adapters.http_sender import HttpSender
from .adapters.unit import SqlGovernanceUnit
from .application.ports import GovernanceUnit
from .application.webhook_ports import Sender
from .config import GovernanceSettings
from .domain.dispute import DisputePolicy

SOURCE = "/governance"


def governance_unit(uow: UnitOfWork, clock: Clock) -> GovernanceUnit:
    """The use cases' unit over one unit of work: the repositories, the outbox and the clock."""
    return SqlGovernanceUnit(uow, clock)


@dataclass(frozen=True, kw_only=True)
class GovernanceContainer:
    runtime: ServiceRuntime
    disputes: DisputePolicy

    @property
    def settings(self) -> GovernanceSettings:
        settings = self.runtime.settings
        assert isinstance(settings, GovernanceSettings)
        return settings

    def unit(self, uow: UnitOfWork) -> GovernanceUnit:
        """The use cases' unit over one unit of work, on the container's clock."""
        return governance_unit(uow, self.runtime.clock)

    def today(self) -> date:
        return self.runtime.clock.now().date()

    @asynccontextmanager
    async def webhook_sender(self) -> AsyncIterator[Sender]:
        """What POSTs webhook deliveries, over an HTTP client open while the worker runs."""
        async with httpx.AsyncClient(timeout=self.settings.webhook_timeout_seconds) as client:
            yield HttpSender(client)


def bootstrap(settings: GovernanceSettings | None = None, *, clock: Clock | None = None) -> GovernanceContainer:
    settings = settings or GovernanceSettings()
    runtime = ServiceRuntime.build(
        settings,
        service="governance",
        source=SOURCE,
        topic=topics.prefixed(topics.GOVERNANCE, settings.topic_prefix),
        clock=clock,
    )
    return GovernanceContainer(runtime=runtime, disputes=settings.dispute_policy())
