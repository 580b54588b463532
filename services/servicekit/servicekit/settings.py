"""Settings shared by every service. Each service subclasses with its own ``env_prefix``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_TOKEN_SECRET = "dev-only-insecure-token-secret-change-me"  # noqa: S105 - refused in production
DEV_WEBHOOK_SECRET = "dev-only-insecure-webhook-secret"  # noqa: S105 - refused in production


# aiokafka's own default; ``ServiceSettings.kafka_fetch_max_wait_ms`` documents what it means.
FETCH_MAX_WAIT_MS = 500


class ServiceSettings(BaseSettings):
    """Connection, security and tuning settings; read from ``<PREFIX>_*`` environment variables."""

    model_config = SettingsConfigDict(extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    database_pool_size: int = 10
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_idempotent_producer: bool = False
    kafka_session_timeout_ms: int = 10000
    # How long a fetch may wait on the broker for records. Kafka answers as soon as records arrive;
    # Tansu (the embedded broker) only when the wait is over, so there it is each hop's latency.
    kafka_fetch_max_wait_ms: int = FETCH_MAX_WAIT_MS
    # What a consumer fetches ahead of its batches: at most this much per fetch response, and per
    # partition in it. Every fetched partition stays buffered until consumed, so with many partitions
    # and a backlog this (not the batch) sets a consumer's memory.
    kafka_fetch_max_bytes: int = 32 * 1024 * 1024
    kafka_max_partition_fetch_bytes: int = 4 * 1024 * 1024
    topic_prefix: str = ""
    topic_partitions: int = 12
    topic_replication_factor: int = 1
    token_secret: SecretStr = SecretStr(DEV_TOKEN_SECRET)
    # During a key rotation the old key, still accepted for verification (never used to sign).
    token_secret_previous: SecretStr | None = None
    http_host: str = "0.0.0.0"  # noqa: S104 - containers listen on all interfaces
    http_port: int = 8000
    log_level: str = "INFO"
    relay_batch_size: int = 2000
    relay_poll_seconds: float = 1.0
    # A consumed event that waits for something the consumer has not seen yet (its partner's
    # enrolment, ...) is parked; after this long it is dead-lettered with what it waited for.
    consumer_park_timeout_seconds: float = 7 * 24 * 3600.0
    # How often a consumer retries all its parked events (besides after each batch that applied
    # events of their subjects) and dead-letters those parked too long.
    consumer_park_retry_seconds: float = 60.0
    # Workers touch this file while their loop turns (liveness probe: python -m servicekit.alive).
    heartbeat_path: str | None = None
    # How far a business fact (a close, a stage change...) may lie ahead of the clock (servicekit.dates).
    business_date_future_skew_days: int = Field(default=1, ge=0, le=30)
    # /docs, /redoc and /openapi.json: served unless turned off; unset means on everywhere but in
    # production (where they answer 404 unless set to true).
    public_docs: bool | None = None
    # /metrics: with a token set, a scrape must send ``Authorization: Bearer <token>``; without one
    # it is open unless turned off (unset means on everywhere but in production).
    metrics_token: SecretStr | None = None
    public_metrics: bool | None = None

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> ServiceSettings:
        if self.environment == "production":
            if self.token_secret.get_secret_value() == DEV_TOKEN_SECRET:
                raise ValueError("token_secret must be set to a real secret in production")
            if len(self.token_secret.get_secret_value()) < 32:
                raise ValueError("token_secret must be at least 32 characters in production")
        return self

    @property
    def docs_served(self) -> bool:
        return self.public_docs if self.public_docs is not None else self.environment != "production"

    @property
    def metrics_open(self) -> bool:
        """/metrics answers without credentials (else only to the metrics token, if one is set)."""
        if self.metrics_token is not None and self.metrics_token.get_secret_value():
            return False
        return self.public_metrics if self.public_metrics is not None else self.environment != "production"

    @property
    def token_verification_secrets(self) -> list[str]:
        """The current key first, then the previous one while a rotation is under way."""
        secrets = [self.token_secret.get_secret_value()]
        if self.token_secret_previous is not None and self.token_secret_previous.get_secret_value():
            secrets.append(self.token_secret_previous.get_secret_value())
        return secrets
