"""The registration service's composition root: everything the API, the CLI and the workers are wired with."""

from __future__ import annotations

from dataclasses import dataclass

from incentive_contracts import topics
from incentive_kernel.clock import Clock
from servicekit.container import ServiceRuntime

from .config import RegistrationSettings
from .crm_mappings import CrmMappings
from .domain.policy import RegistrationPolicy

SOURCE = "/registration"


@dataclass(frozen=True, kw_only=True)
class RegistrationContainer:
    runtime: ServiceRuntime
    policy: RegistrationPolicy
    crm_mappings: CrmMappings

    @property
    def settings(self) -> RegistrationSettings:
        settings = self.runtime.settings
        assert isinstance(settings, RegistrationSettings)
        return settings


def bootstrap(settings: RegistrationSettings | None = None, *, clock: Clock | None = None) -> RegistrationContainer:
    settings = settings or RegistrationSettings()
    runtime = ServiceRuntime.build(
        settings,
        service="registration",
        source=SOURCE,
        topic=topics.prefixed(topics.REGISTRATION, settings.topic_prefix),
        clock=clock,
    )
    return RegistrationContainer(
        runtime=runtime, policy=settings.policy(), crm_mappings=CrmMappings.load(settings.crm_mapping_file)
    )
