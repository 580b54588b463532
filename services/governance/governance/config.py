"""Governance service settings (environment variables ``GOVERNANCE_*``) and what they configure."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml
from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings

from .domain.benefit_rules import RuleBook, parse_rules
from .domain.dispute import DisputePolicy
from .domain.webhooks import RetryPolicy

PACKAGED_RULES = Path(__file__).resolve().parent / "rules"


class GovernanceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GOVERNANCE_", extra="ignore")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/governance"
    http_port: int = 8004
    consumer_group: str = "governance-activity"
    consumer_max_records: int = 2000
    rules_dir: Path = PACKAGED_RULES  # every commitment-rules version (*.yaml)
    dispute_answer_days: int = Field(default=10, ge=1, description="unanswered this long: escalated")
    dispute_max_level: int = Field(default=2, ge=1)
    audit_rate: Decimal = Field(default=Decimal("0.05"), ge=0, le=1, description="share of the population sampled")
    audit_seed: str = Field(default="partner-incentives", min_length=1)
    max_page_size: int = 200
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, description="one delivery attempt")
    webhook_retry_base_seconds: int = Field(default=30, ge=1)
    webhook_retry_cap_seconds: int = Field(default=6 * 3600, ge=1)
    webhook_max_attempts: int = Field(default=8, ge=1)

    @model_validator(mode="after")
    def _valid_rules(self) -> GovernanceSettings:
        self.rule_book()  # refuse to start with rules that cannot work
        return self

    def rule_book(self) -> RuleBook:
        files = sorted(self.rules_dir.glob("*.yaml"))
        if not files:
            raise ValueError(f"rules_dir: no commitment rules (*.yaml) in {self.rules_dir}")
        return RuleBook(tuple(parse_rules(yaml.safe_load(f.read_text(encoding="utf-8"))) for f in files))

    def dispute_policy(self) -> DisputePolicy:
        return DisputePolicy(answer_days=self.dispute_answer_days, max_level=self.dispute_max_level)

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(self.webhook_retry_base_seconds, self.webhook_retry_cap_seconds, self.webhook_max_attempts)
