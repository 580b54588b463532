"""MDF service settings (environment variables ``MDF_*``) and the policy they configure."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, model_validator
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings

from .domain.milestones import MilestonePlan, Trigger, milestone_violations
from .domain.policy import DEFAULT_ELIGIBILITY, MdfPolicy


class MilestoneSetting(BaseModel):
    name: str
    trigger: Trigger
    percent: Decimal


class MdfSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MDF_", extra="ignore")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/mdf"
    http_port: int = 8002
    consumer_group: str = "mdf-ledger-feed"
    consumer_max_records: int = 2000
    min_partner_share: Decimal = Decimal("0.50")
    claim_window_days: int = 60
    default_tier: str = "registered"
    activity_eligibility: dict[str, list[str]] = {k: list(v) for k, v in DEFAULT_ELIGIBILITY.items()}
    extra_activity_types: dict[str, list[str]] = {}
    default_milestones: list[MilestoneSetting] = [
        MilestoneSetting(name="proof", trigger="proof_approved", percent=Decimal(100))
    ]
    max_page_size: int = 200

    @model_validator(mode="after")
    def _valid_policy(self) -> MdfSettings:
        self.policy()  # refuse to start with a policy that cannot work
        return self

    def policy(self) -> MdfPolicy:
        milestones = tuple(MilestonePlan(m.name, m.trigger, m.percent) for m in self.default_milestones)
        problems = milestone_violations(milestones)
        if problems:
            raise ValueError("default_milestones: " + "; ".join(p.message for p in problems))
        return MdfPolicy.build(
            min_partner_share=self.min_partner_share,
            claim_window_days=self.claim_window_days,
            default_tier=self.default_tier,
            eligibility=self.activity_eligibility,
            extra_activity_types=self.extra_activity_types,
            default_milestones=milestones,
        )
