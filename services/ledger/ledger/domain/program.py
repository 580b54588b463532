"""The program document: what a versioned, effective-dated program can express (validated on load).

Percentages are written in percent ("5" = 5 %). Money is a map of currency -> amount, because the
ledger never converts currencies: a rule names the amount for each currency it applies to.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from incentive_contracts.money import CurrencyCode, amount_violation
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from .program_commitment import Commitment, SpotAudits


def _money_in_each_currency(amounts: dict[str, Decimal]) -> dict[str, Decimal]:
    """The contracts' money rules: below 10^15 and no finer than each currency's minor unit."""
    for currency, amount in amounts.items():
        problem = amount_violation(amount, currency)
        if problem:
            raise ValueError(f"{amount} {currency} {problem}")
    return amounts


Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
Currency = CurrencyCode  # an active ISO 4217 code (incentive_contracts.currencies)
Percent = Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)]
Amounts = Annotated[
    dict[Currency, Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]], AfterValidator(_money_in_each_currency)
]

COMPONENTS = ("rebate", "growth_accelerator", "registration_bonus", "spiff")
DEFAULT_LINE = "default"


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(Rule):
    """Trailing won revenue (any one listed currency reaching its amount) and engagement points."""

    won_revenue: Amounts = Field(default_factory=dict)
    points: int = Field(default=0, ge=0)


class TierLevel(Rule):
    id: Slug
    name: str | None = None
    qualify: Thresholds = Field(default_factory=Thresholds)
    keep: Thresholds | None = Field(default=None, description="minimum activity to keep the tier at the review")

    @property
    def keep_thresholds(self) -> Thresholds:
        return self.keep if self.keep is not None else self.qualify


class Tiers(Rule):
    trailing_months: int = Field(default=12, ge=1, le=36)
    review_on: str = Field(default="01-01", description="yearly review date, MM-DD")
    levels: list[TierLevel] = Field(min_length=1, description="lowest first; the first is the entry tier")

    @field_validator("review_on")
    @classmethod
    def _month_day(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9]{2}-[0-9]{2}", value):
            raise ValueError("review_on must be MM-DD, e.g. 01-01")
        try:
            date(2001, int(value[:2]), int(value[3:]))
        except ValueError as exc:
            raise ValueError(f"review_on {value!r} is not a day of the year (29 February is not allowed)") from exc
        return value

    @model_validator(mode="after")
    def _levels(self) -> Tiers:
        ids = [level.id for level in self.levels]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"tier ids must be unique; repeated: {', '.join(duplicates)}")
        entry = self.levels[0]
        if entry.qualify.won_revenue or entry.qualify.points:
            raise ValueError(f"the first tier ({entry.id}) is the entry tier and cannot have qualify thresholds")
        return self

    def index(self, tier: str | None) -> int:
        for i, level in enumerate(self.levels):
            if level.id == tier:
                return i
        return -1


class Rebate(Rule):
    percent: dict[Slug, dict[Slug, Percent]] = Field(
        description="tier -> product line -> percent; 'default' is any other product line"
    )


class QuarterlyTarget(Rule):
    default: Amounts = Field(default_factory=dict)
    by_tier: dict[Slug, Amounts] = Field(default_factory=dict)
    by_partner: dict[str, Amounts] = Field(default_factory=dict)


class GrowthAccelerator(Rule):
    multiplier: Decimal = Field(ge=1, le=10, allow_inf_nan=False, description="rate multiplier above target")
    quarterly_target: QuarterlyTarget


class RegistrationBonus(Rule):
    percent: Percent


class Influence(Rule):
    required: bool = True
    kinds: list[Slug] = Field(default_factory=list, description="activity kinds that count; empty = any")


class Spiff(Rule):
    id: Slug
    product_lines: list[Slug] = Field(min_length=1)
    from_: date = Field(alias="from")
    to: date
    amount: Amounts = Field(min_length=1)

    @model_validator(mode="after")
    def _window(self) -> Spiff:
        if self.to < self.from_:
            raise ValueError(f"spiff {self.id}: 'to' ({self.to}) is before 'from' ({self.from_})")
        return self


class Caps(Rule):
    per_deal: Amounts = Field(default_factory=dict)
    per_partner_quarter: Amounts = Field(default_factory=dict)


class Stacking(Rule):
    max_combined_percent: Percent | None = Field(default=None, description="all rewards of one deal, % of its amount")
    exclusive: list[list[Literal["rebate", "growth_accelerator", "registration_bonus", "spiff"]]] = Field(
        default_factory=list, description="groups whose members never combine: the larger one applies"
    )

    @field_validator("exclusive")
    @classmethod
    def _groups(cls, groups: list[list[str]]) -> list[list[str]]:
        for group in groups:
            if len(group) < 2 or len(set(group)) != len(group):
                raise ValueError("each exclusive group names at least two different incentives")
        return groups


class MdfAccrual(Rule):
    percent: Percent


class Clawback(Rule):
    window_days: int = Field(ge=0, le=3650)
    partial: Literal["pro_rata", "full"] = "pro_rata"


class Program(Rule):
    """One version of a program's rules."""

    program: Slug
    title: str = Field(min_length=1, max_length=200)
    description: str | None = None
    tiers: Tiers
    engagement_points: dict[Slug, int] = Field(default_factory=dict)
    rebate: Rebate
    growth_accelerator: GrowthAccelerator | None = None
    registration_bonus: RegistrationBonus | None = None
    influence: Influence = Field(default_factory=lambda: Influence(required=False))
    spiffs: list[Spiff] = Field(default_factory=list)
    caps: Caps = Field(default_factory=Caps)
    stacking: Stacking = Field(default_factory=Stacking)
    mdf_accrual: MdfAccrual | None = None
    clawback: Clawback
    commitment: Commitment | None = Field(default=None, description="commitment benefits (governance applies them)")
    spot_audits: SpotAudits = Field(default_factory=SpotAudits)

    @field_validator("engagement_points")
    @classmethod
    def _points(cls, points: dict[str, int]) -> dict[str, int]:
        negative = sorted(k for k, v in points.items() if v < 0)
        if negative:
            raise ValueError(f"engagement points cannot be negative: {', '.join(negative)}")
        return points

    @model_validator(mode="after")
    def _references(self) -> Program:
        tier_ids = [level.id for level in self.tiers.levels]
        unknown = sorted(set(self.rebate.percent) - set(tier_ids))
        if unknown:
            raise ValueError(f"rebate.percent names unknown tiers: {', '.join(unknown)} (tiers: {', '.join(tier_ids)})")
        for tier in tier_ids:
            rates = self.rebate.percent.get(tier)
            if rates is None or DEFAULT_LINE not in rates:
                raise ValueError(f"rebate.percent.{tier} needs a '{DEFAULT_LINE}' rate (any other product line)")
        if self.growth_accelerator:
            unknown = sorted(set(self.growth_accelerator.quarterly_target.by_tier) - set(tier_ids))
            if unknown:
                raise ValueError(
                    f"growth_accelerator.quarterly_target.by_tier names unknown tiers: {', '.join(unknown)}"
                )
        spiff_ids = [s.id for s in self.spiffs]
        if len(set(spiff_ids)) != len(spiff_ids):
            raise ValueError("spiff ids must be unique")
        return self

    def tier(self, tier_id: str) -> TierLevel | None:
        return next((level for level in self.tiers.levels if level.id == tier_id), None)

    def rebate_percent(self, tier: str, product_line: str) -> tuple[Decimal, str]:
        """The rebate percent and which line of the table gave it."""
        rates = self.rebate.percent[tier]
        if product_line in rates:
            return rates[product_line], product_line
        return rates[DEFAULT_LINE], DEFAULT_LINE
