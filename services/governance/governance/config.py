"""Governance service settings (environment variables ``GOVERNANCE_*``) and what they configure."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings

from .domain.dispute import DisputePolicy
from .domain.webhooks import RetryPolicy


class GovernanceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GOVERNANCE_", extra="ignore")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/governance"
    http_port: int = 8004
    consumer_group: str = "governance-activity"
    consumer_max_records: int = 2000
    dispute_answer_days: int = Field(default=10, ge=1, description="unanswered this long: escalated")
    dispute_max_level: int = Field(default=2, ge=1)
    # The spot-audit rate and the commitment rules are the program's (the ledger's program document),
    # never settings; the seed stays one so a draw can be reproduced.
    audit_seed: str = Field(default="partner-incentives", min_length=1)
    max_page_size: int = 200
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, description="one delivery attempt")
    webhook_retry_base_seconds: int = Field(default=30, ge=1)
    webhook_retry_cap_seconds: int = Field(default=6 * 3600, ge=1)
    webhook_max_attempts: int = Field(default=8, ge=1)

    def dispute_policy(self) -> DisputePolicy:
        return DisputePolicy(answer_days=self.dispute_answer_days, max_level=self.dispute_max_level)

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(self.webhook_retry_base_seconds, self.webhook_retry_cap_seconds, self.webhook_max_attempts)
