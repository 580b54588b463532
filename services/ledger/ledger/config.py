"""Ledger service settings (environment variables ``LEDGER_*``)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class LedgerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", extra="ignore")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/ledger"
    http_port: int = 8000
    consumer_group: str = "ledger-projector"
    projector_max_records: int = 2000  # per batch; 5,000 held ~120 MB more at the same throughput (make bench)
    # The projector fetches ahead of its batches: every partition's last fetch stays buffered until consumed.
    # With 32 MiB responses (servicekit's default) a backlog on 12 partitions held ~60 MiB of fetched records
    # (the embedded broker honours only the response limit); a 2,000-event batch is about 1 MiB of records.
    kafka_fetch_max_bytes: int = 2 * 1024 * 1024
    kafka_max_partition_fetch_bytes: int = 1024 * 1024
    program_notice_days: int = 30  # a program version takes effect at least this many days after publication
    # Cross-service reconciliation (`ledger reconcile`, GET /reconciliation/services): where the other
    # services' APIs are, and the bearer tokens (audit:read, signed with THEIR token secrets) to read them.
    mdf_url: str = "http://127.0.0.1:8002"
    registration_url: str = "http://127.0.0.1:8001"
    mdf_token: SecretStr | None = None
    registration_token: SecretStr | None = None
    peer_timeout_seconds: float = 30.0
