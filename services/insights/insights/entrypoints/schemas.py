"""Response models of the insights API: money as Money (decimal string + currency), ratios as decimal
strings, never floats."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from incentive_contracts.currencies import minor_units
from incentive_contracts.money import DecimalString, Money
from pydantic import BaseModel, Field
from servicekit.problems import Problem

from ..application.ports import PartnerView
from ..domain.indicators import VELOCITY_FORMULA, PeriodIndicators
from ..domain.periods import Period

DEFINITIONS = {
    "pipeline": "expected amount of the deals open at the period's end, by stage",
    "registrations": "deals registered in the period; stage_conversion: of those, the share that reached each stage",
    "win_rate": "won / (won + lost + expired) among the deals closed in the period",
    "average_deal_size": "won amount / won deals, among the deals won in the period",
    "time_to_close_days": "days from registration to the win, deals won in the period (median; p90 nearest rank)",
    "pipeline_velocity": VELOCITY_FORMULA,
    "marketing": "MDF requests submitted, MDF disbursed (spend), and activities whose latest results were "
    "reported in the period with those results",
    "engagement": "engagement activities recorded in the period, by kind, and their points",
    "currency": "every money figure and every deal and MDF count is of the response's currency only",
}


def money(amount: Decimal, currency: str) -> Money:
    """A figure as Money, rounded half-even to the currency's minor unit (averages, velocity)."""
    quantum = Decimal(1).scaleb(-minor_units(currency))
    return Money.recorded(amount.quantize(quantum, rounding=ROUND_HALF_EVEN), currency)


def maybe_money(amount: Decimal | None, currency: str) -> Money | None:
    return None if amount is None else money(amount, currency)


def invalid(field: str, message: str) -> Problem:
    """422 naming the query parameter at fault."""
    return Problem(
        422,
        "Invalid request",
        f"query.{field}: {message}",
        kind="validation-error",
        errors=[{"location": f"query.{field}", "message": message}],
    )


class PipelineOut(BaseModel):
    by_stage: dict[str, Money]
    total: Money
    open_deals: int


class RegistrationsOut(BaseModel):
    count: int
    stage_conversion: dict[str, DecimalString | None]


class TimeToCloseOut(BaseModel):
    mean: DecimalString | None
    median: DecimalString | None
    p90: int | None


class CampaignResultsOut(BaseModel):
    registrations: int
    attendees: int
    leads: int
    opportunities_influenced: int


class MarketingOut(BaseModel):
    mdf_requests: int
    requested: Money
    approved: Money
    spend: Money
    activities_reported: int
    reported_spend: Money
    results: CampaignResultsOut


class EngagementOut(BaseModel):
    activities: int
    by_kind: dict[str, int]
    points: int


class PeriodOut(BaseModel):
    period: str
    start: date
    end: date

    @classmethod
    def of_period(cls, p: Period) -> dict[str, Any]:
        return {"period": p.key, "start": p.start, "end": p.end}


class IndicatorsOut(PeriodOut):
    partners: int = Field(description="partners of the scope enrolled by the period's end")
    pipeline: PipelineOut
    registrations: RegistrationsOut
    won_deals: int
    lost_deals: int
    won_revenue: Money
    win_rate: DecimalString | None
    average_deal_size: Money | None
    time_to_close_days: TimeToCloseOut
    pipeline_velocity_per_day: Money | None
    marketing: MarketingOut
    engagement: EngagementOut

    @classmethod
    def of(cls, ind: PeriodIndicators, currency: str) -> IndicatorsOut:
        d, m, e = ind.deals, ind.marketing, ind.engagement
        return cls(
            **cls.of_period(ind.period),
            partners=ind.partners,
            pipeline=PipelineOut(
                by_stage={s: money(v, currency) for s, v in d.pipeline_by_stage.items()},
                total=money(d.pipeline_total, currency),
                open_deals=d.open_deals,
            ),
            registrations=RegistrationsOut(count=d.registrations, stage_conversion=dict(d.stage_conversion)),
            won_deals=d.won_deals,
            lost_deals=d.lost_deals,
            won_revenue=money(d.won_revenue, currency),
            win_rate=d.win_rate,
            average_deal_size=maybe_money(d.average_deal_size, currency),
            time_to_close_days=TimeToCloseOut(
                mean=d.mean_days_to_close, median=d.median_days_to_close, p90=d.p90_days_to_close
            ),
            pipeline_velocity_per_day=maybe_money(d.pipeline_velocity, currency),
            marketing=MarketingOut(
                mdf_requests=m.requests,
                requested=money(m.requested, currency),
                approved=money(m.approved, currency),
                spend=money(m.spend, currency),
                activities_reported=m.activities_reported,
                reported_spend=money(m.reported_spend, currency),
                results=CampaignResultsOut(
                    registrations=m.registrations,
                    attendees=m.attendees,
                    leads=m.leads,
                    opportunities_influenced=m.opportunities_influenced,
                ),
            ),
            engagement=EngagementOut(activities=e.activities, by_kind=dict(e.by_kind), points=e.points),
        )


class PartnerOut(BaseModel):
    partner_id: str
    name: str
    partner_type: str
    program_id: str
    region: str
    vertical: str | None
    tier: str | None
    tier_since: date | None
    enrolled_on: date
    enrolment_quarter: str
    deactivated_on: date | None
    reward_programs: list[str] = Field(description="programs the ledger posted this partner's rewards under")

    @classmethod
    def of(cls, p: PartnerView, enrolment_quarter: str) -> PartnerOut:
        return cls(
            partner_id=p.partner_id,
            name=p.name,
            partner_type=p.partner_type,
            program_id=p.program_id,
            region=p.region,
            vertical=p.vertical,
            tier=p.tier,
            tier_since=p.tier_since,
            enrolled_on=p.enrolled_on,
            enrolment_quarter=enrolment_quarter,
            deactivated_on=p.deactivated_on,
            reward_programs=list(p.reward_programs),
        )


class PartnerPage(BaseModel):
    items: list[PartnerOut]
    next_cursor: str | None
