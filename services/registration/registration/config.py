"""Registration service settings (environment variables ``REGISTRATION_*``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from incentive_contracts.events.partner import PartnerType
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict
from servicekit.settings import DEV_WEBHOOK_SECRET, ServiceSettings

from .domain.policy import AnomalyPolicy, ApprovalPolicy, RegistrationPolicy

DEV_SALESFORCE_ORG_ID = "00DDEV0000000000"
WEBHOOK_SOURCES = ("salesforce", "hubspot", "generic")


class RegistrationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRATION_", extra="ignore")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/registration"
    http_port: int = 8001

    # Programs known without a program.version_published event: the ledger's built-in ones (code in
    # the ledger, never announced), so partners can be enrolled before the ledger ever ran.
    builtin_programs: list[str] = ["default"]

    # Registration rules.
    exclusivity_days: int = 90
    expiry_days: int = 60
    auto_approve: bool = True
    auto_approve_max_amounts: dict[str, Decimal] = {
        "USD": Decimal(250000),
        "EUR": Decimal(250000),
        "GBP": Decimal(200000),
    }
    auto_approve_max_days_to_close: int = 365
    auto_approve_partner_types: list[PartnerType] = list(PartnerType)
    auto_approve_tiers: list[str] | None = None
    velocity_window_days: int = 7
    velocity_baseline_days: int = 90
    velocity_multiplier: Decimal = Decimal(3)
    velocity_min_count: int = 20
    near_close_days: int = 7
    multi_partner_threshold: int = 3
    multi_partner_lookback_days: int = 180

    # CRM webhooks: two active secrets per source while one is rotated out.
    salesforce_secret: SecretStr = SecretStr(DEV_WEBHOOK_SECRET)
    salesforce_secret_previous: SecretStr | None = None
    salesforce_org_id: str = DEV_SALESFORCE_ORG_ID
    hubspot_secret: SecretStr = SecretStr(DEV_WEBHOOK_SECRET)
    hubspot_secret_previous: SecretStr | None = None
    hubspot_public_url: str | None = None
    hubspot_portal_id: str | None = None
    generic_secret: SecretStr = SecretStr(DEV_WEBHOOK_SECRET)
    generic_secret_previous: SecretStr | None = None
    webhook_tolerance_seconds: int = 300
    # Largest webhook body accepted (413 above it; a declared Content-Length over it is not read).
    webhook_max_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    # How long the webhook edge lets a group of deliveries fill before storing it in one statement
    # (group commit); 0 stores each group as soon as the one before it has committed.
    webhook_group_linger_ms: float = Field(default=2.0, ge=0, le=50)
    crm_mapping_file: Path | None = None
    # Deliveries the crm-sync worker claims and applies per transaction.
    crm_sync_batch: int = Field(default=2000, ge=1, le=10000)
    # crm-sync shards (by CRM record): each applies its records' deliveries, in order, beside the
    # others, with its own election. Every worker must run with the same count (README). One by
    # default: on two shared cores a second shard measured slower (README, Sharding).
    crm_sync_shards: int = Field(default=1, ge=1, le=64)

    # The ledger topic consumer that shows partners' tiers.
    ledger_consumer_group: str = "registration-tiers"

    @model_validator(mode="after")
    def _refuse_unsafe_webhooks(self) -> RegistrationSettings:
        if self.environment == "production":
            for source in WEBHOOK_SOURCES:
                for secret in self.webhook_secrets(source):
                    if secret == DEV_WEBHOOK_SECRET.encode() or len(secret) < 32:
                        raise ValueError(
                            f"{source}_secret must be a real secret of at least 32 characters in production"
                        )
            if self.salesforce_org_id == DEV_SALESFORCE_ORG_ID:
                raise ValueError("salesforce_org_id must be set in production")
        return self

    def webhook_secrets(self, source: str) -> list[bytes]:
        current: SecretStr = getattr(self, f"{source}_secret")
        previous: SecretStr | None = getattr(self, f"{source}_secret_previous")
        return [s.get_secret_value().encode() for s in (current, previous) if s is not None and s.get_secret_value()]

    def policy(self) -> RegistrationPolicy:
        return RegistrationPolicy(
            exclusivity_days=self.exclusivity_days,
            expiry_days=self.expiry_days,
            approval=ApprovalPolicy(
                enabled=self.auto_approve,
                max_amounts={k.upper(): v for k, v in self.auto_approve_max_amounts.items()},
                max_days_to_close=self.auto_approve_max_days_to_close,
                partner_types=frozenset(self.auto_approve_partner_types),
                tiers=frozenset(self.auto_approve_tiers) if self.auto_approve_tiers is not None else None,
            ),
            anomalies=AnomalyPolicy(
                velocity_window_days=self.velocity_window_days,
                velocity_baseline_days=self.velocity_baseline_days,
                velocity_multiplier=self.velocity_multiplier,
                velocity_min_count=self.velocity_min_count,
                near_close_days=self.near_close_days,
                multi_partner_threshold=self.multi_partner_threshold,
                multi_partner_lookback_days=self.multi_partner_lookback_days,
            ),
        )
