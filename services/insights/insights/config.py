"""Insights service settings (environment variables ``INSIGHTS_*``)."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings

# The default program's engagement points (contracts/incentive_contracts/programs/default.yaml): program rules
# are not on the wire, so the weights insights counts points with are configured here.
DEFAULT_ENGAGEMENT_POINTS = {
    "quarterly_business_review": 10,
    "joint_business_plan": 15,
    "enablement_session": 3,
    "certification": 8,
    "joint_marketing_activity": 5,
}


class InsightsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INSIGHTS_", extra="ignore")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/insights"
    http_port: int = 8003
    consumer_group: str = "insights-read-models"
    consumer_max_records: int = 2000
    reporting_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    engagement_points: dict[str, int] = dict(DEFAULT_ENGAGEMENT_POINTS)
    max_page_size: int = 200
    # money views (ROI, alerts, anomaly decisions, finance)
    registration_url: str = "http://127.0.0.1:8001"  # anomaly decisions are forwarded there
    ledger_url: str = "http://127.0.0.1:8000"  # the quarterly reconciliation is read there
    # the console (entrypoints/console): MDF funds and requests are read there with the viewer's token
    mdf_url: str = "http://127.0.0.1:8002"
    governance_url: str = "http://127.0.0.1:8004"  # disputes, plans, benefits, audits and feedback
    # A ledger:read service token for the portal's partner-safe program rules (the ledger never shows
    # program documents to partner tokens); unset in development: minted with the development secret.
    ledger_token: SecretStr | None = None
    secure_cookie: bool | None = None  # the console's sign-in cookie; default: Secure when served over https
    peer_timeout_seconds: float = Field(default=10.0, gt=0)
    roi_baseline_quarters: int = Field(default=4, ge=1, le=12)
    roi_min_treated: int = Field(default=5, ge=1)
    roi_min_comparison: int = Field(default=5, ge=1)
    thresholds_dir: str | None = None  # drift-threshold YAML versions; default: the ones shipped

    @field_validator("engagement_points")
    @classmethod
    def _no_negative_points(cls, points: dict[str, int]) -> dict[str, int]:
        negative = sorted(kind for kind, value in points.items() if value < 0)
        if negative:
            raise ValueError(f"engagement points cannot be negative: {', '.join(negative)}")
        return points
