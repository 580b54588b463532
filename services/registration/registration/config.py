"""Registration service settings (environment variables ``REGISTRATION_*``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRATION_", extra="ignore")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/registration"
    http_port: int = 8001
