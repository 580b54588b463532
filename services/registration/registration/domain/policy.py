"""The configurable rules of registration: exclusivity, auto-approval, anomalies, expiry."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from incentive_contracts.events.partner import PartnerType


@dataclass(frozen=True)
class ApprovalPolicy:
    """A registration is approved automatically only when every criterion holds."""

    enabled: bool = True
    max_amounts: dict[str, Decimal] = field(
        default_factory=lambda: {"USD": Decimal(250000), "EUR": Decimal(250000), "GBP": Decimal(200000)}
    )
    max_days_to_close: int = 365
    partner_types: frozenset[PartnerType] = frozenset(PartnerType)
    tiers: frozenset[str] | None = None  # None: any tier, or none yet


@dataclass(frozen=True)
class AnomalyPolicy:
    velocity_window_days: int = 7
    velocity_baseline_days: int = 90
    velocity_multiplier: Decimal = Decimal(3)
    velocity_min_count: int = 20
    near_close_days: int = 7
    multi_partner_threshold: int = 3
    multi_partner_lookback_days: int = 180

    @property
    def velocity_lookback_days(self) -> int:
        return self.velocity_window_days + self.velocity_baseline_days


@dataclass(frozen=True)
class RegistrationPolicy:
    exclusivity_days: int = 90
    expiry_days: int = 60
    approval: ApprovalPolicy = field(default_factory=ApprovalPolicy)
    anomalies: AnomalyPolicy = field(default_factory=AnomalyPolicy)

    @property
    def lookback_days(self) -> int:
        """How far back registrations can matter to a new one (conflicts and anomalies)."""
        return max(self.exclusivity_days, self.anomalies.multi_partner_lookback_days)
