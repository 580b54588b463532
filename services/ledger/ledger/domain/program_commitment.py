"""The governance terms of a program document: commitment benefits and spot audits (validated on load).

``commitment`` names the minimum activity per trailing window that earns benefits while it is
sustained (governance grants and revokes them; engagement points are the program's points per kind);
``spot_audits.rate`` is the share of each quarter's won deals and MDF claims drawn for an audit.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from incentive_contracts.money import Money
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

METRIC = re.compile(r"^[a-z][a-z_]{0,39}(:[A-Z]{3})?$")
METRICS_DOC = (
    "engagement_points, certifications, rituals_held, mdf_claims, mdf_spend:<CCY>, pipeline:<CCY>, won:<CCY>, wins"
)
BenefitId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
DEFAULT_AUDIT_RATE = Decimal("0.05")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CommitmentBenefit(_Section):
    benefit: BenefitId
    amount: Money | None = Field(default=None, description="a monetary benefit; none for a status or service")

    @field_validator("amount")
    @classmethod
    def _positive(cls, amount: Money | None) -> Money | None:
        if amount is not None and amount.amount <= 0:
            raise ValueError("a monetary benefit's amount must be above zero")
        return amount


class CommitmentRule(_Section):
    rule_id: BenefitId
    description: str = Field(default="", max_length=2000)
    minimum: dict[str, Annotated[Decimal, Field(ge=0, lt=Decimal(10) ** 15, allow_inf_nan=False)]] = Field(
        min_length=1, description=f"metric -> the value the trailing window must reach ({METRICS_DOC})"
    )
    benefits: list[CommitmentBenefit] = Field(min_length=1)

    @field_validator("minimum")
    @classmethod
    def _metrics(cls, minimum: dict[str, Decimal]) -> dict[str, Decimal]:
        bad = sorted(m for m in minimum if not METRIC.match(m))
        if bad:
            raise ValueError(f"unknown metric {', '.join(bad)}: use {METRICS_DOC}")
        fine = sorted(m for m, v in minimum.items() if v.as_tuple().exponent < -4)  # type: ignore[operator]
        if fine:
            raise ValueError(f"at most 4 decimals: {', '.join(fine)}")
        return minimum

    @model_validator(mode="after")
    def _distinct_benefits(self) -> CommitmentRule:
        names = [b.benefit for b in self.benefits]
        if len(set(names)) != len(names):
            raise ValueError(f"rule {self.rule_id}: each benefit is listed once")
        return self


class Commitment(_Section):
    window_days: int = Field(ge=1, le=3650, description="the trailing window the minimums are measured over")
    rules: list[CommitmentRule] = Field(default_factory=list)

    @field_validator("rules")
    @classmethod
    def _unique(cls, rules: list[CommitmentRule]) -> list[CommitmentRule]:
        ids = [r.rule_id for r in rules]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"rule ids must be unique; repeated: {', '.join(repeated)}")
        return rules


class SpotAudits(_Section):
    rate: Decimal = Field(
        default=DEFAULT_AUDIT_RATE, ge=0, le=1, allow_inf_nan=False, description="share sampled per quarter, 0..1"
    )

    @field_validator("rate")
    @classmethod
    def _precision(cls, rate: Decimal) -> Decimal:
        if rate.as_tuple().exponent < -6:  # type: ignore[operator]
            raise ValueError("at most 6 decimals")
        return rate
