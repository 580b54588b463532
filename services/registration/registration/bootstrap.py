"""The registration service's composition root: everything the API, the CLI and the workers are wired with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from incentive_contracts import topics
from incentive_kernel.clock import Clock
from servicekit.container import ServiceRuntime
from servicekit.unit_of_work import UnitOfWork

from .adapters.crm_edge import CrmEdge
from .adapters.crm_views import SqlCrmViews
from .adapters.unit import SqlRegistrationUnit
from .application.crm_queries import CrmViews
from .application.crm_sync import CrmSync
from .application.ports import RegistrationUnit
from .config import RegistrationSettings
from .crm_mappings import CrmMappings
from .domain.policy import RegistrationPolicy

SOURCE = "/registration"


@dataclass(frozen=True, kw_only=True)
class RegistrationContainer:
    runtime: ServiceRuntime
    policy: RegistrationPolicy
    crm_mappings: CrmMappings
    crm_edge: CrmEdge  # the webhook edge: its pool and inbox writer open with the app

    @property
    def settings(self) -> RegistrationSettings:
        settings = self.runtime.settings
        assert isinstance(settings, RegistrationSettings)
        return settings

    def unit(self, uow: UnitOfWork) -> RegistrationUnit:
        """The use cases' unit over one unit of work, on the container's clock."""
        return SqlRegistrationUnit(uow, self.runtime.clock, self.settings.builtin_programs)

    def crm_views(self, uow: UnitOfWork) -> CrmViews:
        """The CRM edge's query port over one unit of work."""
        return SqlCrmViews(uow.conn)

    def crm_sync(self) -> CrmSync:
        """What the crm-sync worker applies deliveries with."""
        return CrmSync(self.crm_mappings, self.policy, self.runtime.clock)

    def today(self) -> date:
        return self.runtime.clock.now().date()


def bootstrap(settings: RegistrationSettings | None = None, *, clock: Clock | None = None) -> RegistrationContainer:
    settings = settings or RegistrationSettings()
    runtime = ServiceRuntime.build(
        settings,
        service="registration",
        source=SOURCE,
        topic=topics.prefixed(topics.REGISTRATION, settings.topic_prefix),
        clock=clock,
    )
    mappings = CrmMappings.load(settings.crm_mapping_file)
    return RegistrationContainer(
        runtime=runtime, policy=settings.policy(), crm_mappings=mappings, crm_edge=CrmEdge(settings, mappings)
    )
