"""The mdf service's composition root: everything the API, the CLI and the workers are wired with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from incentive_contracts import topics
from incentive_kernel.clock import Clock
from servicekit.container import ServiceRuntime
from servicekit.unit_of_work import UnitOfWork

from .adapters.unit import SqlMdfUnit
from .application.ports import MdfUnit
from .config import MdfSettings
from .domain.policy import MdfPolicy

SOURCE = "/mdf"


@dataclass(frozen=True, kw_only=True)
class MdfContainer:
    runtime: ServiceRuntime
    policy: MdfPolicy

    @property
    def settings(self) -> MdfSettings:
        settings = self.runtime.settings
        assert isinstance(settings, MdfSettings)
        return settings

    def unit(self, uow: UnitOfWork) -> MdfUnit:
        """The use cases' unit over one unit of work, on the container's clock."""
        return SqlMdfUnit(uow, self.runtime.clock)

    def today(self) -> date:
        return self.runtime.clock.now().date()


def bootstrap(settings: MdfSettings | None = None, *, clock: Clock | None = None) -> MdfContainer:
    settings = settings or MdfSettings()
    runtime = ServiceRuntime.build(
        settings,
        service="mdf",
        source=SOURCE,
        topic=topics.prefixed(topics.MDF, settings.topic_prefix),
        clock=clock,
    )
    return MdfContainer(runtime=runtime, policy=settings.policy())
