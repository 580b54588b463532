"""The program's MDF policy: activity catalogue and eligibility, share rule, claim window, milestones."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .milestones import MilestonePlan

ANY_TIER = "*"

DEFAULT_ELIGIBILITY: dict[str, tuple[str, ...]] = {
    "webinar": (ANY_TIER,),
    "whitepaper": (ANY_TIER,),
    "digital_campaign": (ANY_TIER,),
    "field_event": ("silver", "gold", "platinum"),
    "trade_show": ("gold", "platinum"),
}

DEFAULT_MILESTONES: tuple[MilestonePlan, ...] = (MilestonePlan("proof", "proof_approved", Decimal(100)),)


def _normalised(eligibility: Mapping[str, tuple[str, ...] | list[str]]) -> dict[str, frozenset[str]]:
    return {activity.lower(): frozenset(t.lower() for t in tiers) for activity, tiers in eligibility.items()}


@dataclass(frozen=True)
class MdfPolicy:
    min_partner_share: Decimal = Decimal("0.50")
    claim_window_days: int = 60
    default_tier: str = "registered"
    eligibility: Mapping[str, frozenset[str]] = field(default_factory=lambda: _normalised(DEFAULT_ELIGIBILITY))
    default_milestones: tuple[MilestonePlan, ...] = DEFAULT_MILESTONES

    @classmethod
    def build(
        cls,
        *,
        min_partner_share: Decimal = Decimal("0.50"),
        claim_window_days: int = 60,
        default_tier: str = "registered",
        eligibility: Mapping[str, tuple[str, ...] | list[str]] | None = None,
        extra_activity_types: Mapping[str, tuple[str, ...] | list[str]] | None = None,
        default_milestones: tuple[MilestonePlan, ...] = DEFAULT_MILESTONES,
    ) -> MdfPolicy:
        """A policy from plain configuration; extra activity types add to (or override) the catalogue."""
        if not Decimal(0) <= min_partner_share < Decimal(1):
            raise ValueError("min_partner_share must be at least 0 and below 1")
        if claim_window_days < 0:
            raise ValueError("claim_window_days cannot be negative")
        merged = {**_normalised(eligibility or DEFAULT_ELIGIBILITY), **_normalised(extra_activity_types or {})}
        return cls(min_partner_share, claim_window_days, default_tier.lower(), merged, default_milestones)

    @property
    def activity_types(self) -> list[str]:
        return sorted(self.eligibility)

    def tier_of(self, known_tier: str | None) -> str:
        return (known_tier or self.default_tier).lower()

    def is_eligible(self, activity_type: str, tier: str | None) -> bool:
        allowed = self.eligibility.get(activity_type)
        return allowed is not None and (ANY_TIER in allowed or self.tier_of(tier) in allowed)

    def max_funded(self, cost: Decimal) -> Decimal:
        """The most MDF may pay of a cost so that the partner still carries its minimum share."""
        return cost * (Decimal(1) - self.min_partner_share)
