"""Response models of the money routes: ROI, alerts, the anomaly queue and the finance views.
Money is the contracts' Money (decimal string + currency); ratios are decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from incentive_contracts.money import Money
from pydantic import BaseModel, Field

from ..application.money_ports import QueueItem, StoredAlert
from ..domain.roi import ASSUMPTIONS, LIMITS, RoiMethod, RoiResult, method_text
from .schemas import money


def _money(amount: Decimal | None, currency: str) -> Money | None:
    return None if amount is None else money(amount, currency)


def _ratio(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


class RoiMethodOut(BaseModel):
    text: str
    baseline_quarters: int
    min_treated: int
    min_comparison: int
    assumptions: list[str]
    limits: list[str]

    @classmethod
    def of(cls, method: RoiMethod) -> RoiMethodOut:
        return cls(
            text=method_text(method),
            baseline_quarters=method.baseline_quarters,
            min_treated=method.min_treated,
            min_comparison=method.min_comparison,
            assumptions=list(ASSUMPTIONS),
            limits=list(LIMITS),
        )


class RoiRow(BaseModel):
    incentive: str = Field(
        description="{program}/{component}: rebate:<product line>, growth_accelerator, spiff:<id>..."
    )
    quarter: str
    cost: Money
    attributed_revenue: Money
    cost_per_attributed_revenue: str | None = Field(description="cost / attributed revenue, a decimal string")
    treated_partners: int
    treated_with_baseline: int
    comparison_partners: int
    baseline_revenue: Money | None
    incremental_revenue: Money | None
    comparison_uplift: Money | None
    effect: Money | None = Field(description="incremental revenue net of the comparison group's uplift")
    cost_of_treated_with_baseline: Money | None
    return_on_cost: str | None = Field(description="(effect - cost) / cost, a decimal string; null when withheld")
    notes: list[str] = Field(description="why a figure is withheld (small sample), empty otherwise")

    @classmethod
    def of(cls, r: RoiResult) -> RoiRow:
        c = r.currency
        return cls(
            incentive=r.incentive,
            quarter=r.quarter,
            cost=money(r.cost, c),
            attributed_revenue=money(r.attributed_revenue, c),
            cost_per_attributed_revenue=_ratio(r.cost_per_attributed_revenue),
            treated_partners=r.treated_partners,
            treated_with_baseline=r.treated_with_baseline,
            comparison_partners=r.comparison_partners,
            baseline_revenue=_money(r.baseline_revenue, c),
            incremental_revenue=_money(r.incremental_revenue, c),
            comparison_uplift=_money(r.comparison_uplift, c),
            effect=_money(r.effect, c),
            cost_of_treated_with_baseline=_money(r.cost_of_treated_with_baseline, c),
            return_on_cost=_ratio(r.return_on_cost),
            notes=list(r.notes),
        )


class RoiPage(BaseModel):
    currency: str
    method: RoiMethodOut
    items: list[RoiRow]
    next_cursor: str | None


class AlertOut(BaseModel):
    alert_id: str
    threshold_id: str
    thresholds_version: int
    indicator: str
    scope: str = Field(description="partner | cohort")
    scope_id: str = Field(description="the partner id, or the cohort as '<dimension>:<value>'")
    period: str
    rule: str
    limit: str
    value: str
    baseline: str | None
    change: str | None = Field(description="relative change from the baseline, -0.25 = down 25 %")
    severity: str
    raised_at: datetime
    status: str = Field(description="open | acknowledged")
    acknowledged_by: str | None
    acknowledged_reason: str | None
    acknowledged_at: datetime | None

    @classmethod
    def of(cls, a: StoredAlert) -> AlertOut:
        d = a.drift
        return cls(
            alert_id=d.alert_id,
            threshold_id=d.threshold_id,
            thresholds_version=d.thresholds_version,
            indicator=d.indicator,
            scope=d.scope.value,
            scope_id=d.subject,
            period=d.period,
            rule=d.rule.value,
            limit=format(d.limit, "f"),
            value=format(d.value, "f"),
            baseline=_ratio(d.baseline),
            change=_ratio(d.change),
            severity=d.severity,
            raised_at=a.raised_at,
            status="open" if a.acknowledged_at is None else "acknowledged",
            acknowledged_by=a.acknowledged_by,
            acknowledged_reason=a.acknowledged_reason,
            acknowledged_at=a.acknowledged_at,
        )


class AlertPage(BaseModel):
    items: list[AlertOut]
    next_cursor: str | None


class EvaluationOut(BaseModel):
    thresholds_version: int
    period: str
    evaluated: int = Field(description="subjects evaluated, summed over the thresholds")
    raised: list[AlertOut] = Field(description="alerts raised now (a drift raised before is not raised again)")


class ThresholdOut(BaseModel):
    id: str
    indicator: str
    scope: str
    rule: str
    limit: str
    baseline_periods: int
    severity: str


class ThresholdVersionOut(BaseModel):
    version: int
    effective_from: date
    in_force: bool
    thresholds: list[ThresholdOut]


class FlagOut(BaseModel):
    reason: str
    detail: str
    flagged_on: date
    status: str
    decided_by: str | None
    decided_on: date | None
    note: str | None


class HeldOut(BaseModel):
    rebates: Money
    mdf: Money


class AnomalyOut(BaseModel):
    deal_id: str
    partner_id: str
    status: str = Field(description="open | cleared | confirmed")
    flags: list[FlagOut]
    held: list[HeldOut] = Field(description="what the ledger still holds because of the flags, per currency")
    won_amount: Money | None
    closed_on: date | None
    product_line: str | None

    @classmethod
    def of(cls, item: QueueItem) -> AnomalyOut:
        return cls(
            deal_id=item.deal_id,
            partner_id=item.partner_id,
            status=item.status,
            flags=[FlagOut(**{k: getattr(f, k) for k in FlagOut.model_fields}) for f in item.flags],
            held=[HeldOut(rebates=money(h.rebates, h.currency), mdf=money(h.mdf, h.currency)) for h in item.held],
            won_amount=None if item.won is None else money(item.won.amount, item.won.currency),
            closed_on=None if item.won is None else item.won.closed_on,
            product_line=None if item.won is None else item.won.product_line,
        )


class AnomalyPage(BaseModel):
    items: list[AnomalyOut]
    next_cursor: str | None


class DecisionOut(BaseModel):
    deal_id: str
    reason: str
    decision: str
    registration: dict[str, Any] = Field(description="registration's answer: the deal after the decision")
