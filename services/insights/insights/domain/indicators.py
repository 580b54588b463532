"""Leading indicators of one group of partners for one period, in one currency (pure arithmetic).

Definitions (the README and every response state them too):

- pipeline: the expected amount of the deals open at the period's end, by stage;
- registrations: deals registered in the period; stage conversion: of those, the share that has
  reached each funnel stage so far;
- win rate: won / (won + lost + expired) among deals closed in the period;
- average deal size: won amount / won deals, for the deals won in the period;
- time to close: days from registration to the win, for the deals won in the period: mean, median
  (the mean of the two middle values for an even count) and p90 (nearest rank: the
  ceil(0.9 n)-th smallest);
- pipeline velocity = open deals at the period's end * win rate * average deal size / mean days to
  close: the expected won value per day (undefined without a win in the period);
- marketing engagement: MDF requests submitted in the period (count, requested and approved
  amounts), MDF disbursed in the period (spend), and the activities whose results were last
  reported in the period with their results;
- engagement: activities recorded in the period, by kind, and the points they earn.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from .facts import (
    CLOSED_LOST,
    FUNNEL,
    OPEN_STAGES,
    DealFact,
    EngagementFact,
    MdfRequestFact,
    MdfResultFact,
    MdfSpendFact,
)
from .periods import Period

RATIO = Decimal("0.0001")
AMOUNT = Decimal("0.0001")

VELOCITY_FORMULA = "open deals at period end * win rate * average deal size / mean days to close (per day)"


def ratio(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """numerator / denominator to four places (half-even), None when the denominator is zero."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO, rounding=ROUND_HALF_EVEN)


def median(values: Sequence[int]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[middle])
    return Decimal(ordered[middle - 1] + ordered[middle]) / 2


def percentile_nearest_rank(values: Sequence[int], percent: int) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(percent * len(ordered) / 100), 1) - 1]


@dataclass(frozen=True)
class DealIndicators:
    pipeline_by_stage: Mapping[str, Decimal]
    pipeline_total: Decimal
    open_deals: int
    registrations: int
    stage_conversion: Mapping[str, Decimal | None]
    won_deals: int
    lost_deals: int
    won_revenue: Decimal
    win_rate: Decimal | None
    average_deal_size: Decimal | None
    mean_days_to_close: Decimal | None
    median_days_to_close: Decimal | None
    p90_days_to_close: int | None
    pipeline_velocity: Decimal | None


def deal_indicators(deals: Sequence[DealFact], period: Period) -> DealIndicators:
    stages = {stage: Decimal(0) for stage in OPEN_STAGES}
    open_deals = 0
    for deal in deals:
        stage = deal.stage_on(period.end)
        if stage in stages:
            stages[stage] += deal.expected_amount
            open_deals += 1
    registered = [d for d in deals if period.holds(d.registered_on)]
    conversion = {s: ratio(sum(1 for d in registered if s in d.reached), len(registered)) for s in FUNNEL}
    closed = [d for d in deals if d.closed_on is not None and period.holds(d.closed_on)]
    won = [d for d in closed if d.stage == "won"]
    lost = sum(1 for d in closed if d.stage in CLOSED_LOST)
    won_revenue = sum((d.won_amount or Decimal(0) for d in won), Decimal(0))
    days = [d.days_to_close for d in won if d.days_to_close is not None]
    win_rate = ratio(len(won), len(won) + lost)
    average = (won_revenue / len(won)).quantize(AMOUNT, rounding=ROUND_HALF_EVEN) if won else None
    mean_days = ratio(sum(days), len(days))
    velocity = None
    if win_rate is not None and average is not None and mean_days:
        velocity = (open_deals * win_rate * average / mean_days).quantize(AMOUNT, rounding=ROUND_HALF_EVEN)
    return DealIndicators(
        pipeline_by_stage=stages,
        pipeline_total=sum(stages.values(), Decimal(0)),
        open_deals=open_deals,
        registrations=len(registered),
        stage_conversion=conversion,
        won_deals=len(won),
        lost_deals=lost,
        won_revenue=won_revenue,
        win_rate=win_rate,
        average_deal_size=average,
        mean_days_to_close=mean_days,
        median_days_to_close=median(days),
        p90_days_to_close=percentile_nearest_rank(days, 90),
        pipeline_velocity=velocity,
    )


@dataclass(frozen=True)
class MarketingIndicators:
    requests: int
    requested: Decimal
    approved: Decimal
    spend: Decimal
    activities_reported: int
    reported_spend: Decimal
    registrations: int
    attendees: int
    leads: int
    opportunities_influenced: int


def marketing_indicators(
    requests: Sequence[MdfRequestFact],
    spend: Sequence[MdfSpendFact],
    results: Sequence[MdfResultFact],
    period: Period,
) -> MarketingIndicators:
    submitted = [r for r in requests if period.holds(r.submitted_on)]
    reported = [r for r in results if period.holds(r.reported_on)]
    return MarketingIndicators(
        requests=len(submitted),
        requested=sum((r.requested_amount for r in submitted), Decimal(0)),
        approved=sum((r.approved_amount or Decimal(0) for r in submitted), Decimal(0)),
        spend=sum((s.amount for s in spend if period.holds(s.disbursed_on)), Decimal(0)),
        activities_reported=len(reported),
        reported_spend=sum((r.spend for r in reported), Decimal(0)),
        registrations=sum(r.registrations for r in reported),
        attendees=sum(r.attendees for r in reported),
        leads=sum(r.leads for r in reported),
        opportunities_influenced=sum(r.opportunities_influenced for r in reported),
    )


@dataclass(frozen=True)
class EngagementIndicators:
    activities: int
    by_kind: Mapping[str, int]
    points: int


def engagement_indicators(
    engagements: Sequence[EngagementFact], points: Mapping[str, int], period: Period
) -> EngagementIndicators:
    kinds = Counter(e.kind for e in engagements if period.holds(e.occurred_on))
    return EngagementIndicators(
        activities=sum(kinds.values()),
        by_kind=dict(sorted(kinds.items())),
        points=sum(points.get(kind, 0) * count for kind, count in kinds.items()),
    )


@dataclass(frozen=True)
class PeriodIndicators:
    period: Period
    partners: int
    deals: DealIndicators
    marketing: MarketingIndicators
    engagement: EngagementIndicators


@dataclass(frozen=True)
class Facts:
    deals: Sequence[DealFact]
    mdf_requests: Sequence[MdfRequestFact]
    mdf_spend: Sequence[MdfSpendFact]
    mdf_results: Sequence[MdfResultFact]
    engagements: Sequence[EngagementFact]


def indicators_for(facts: Facts, period: Period, points: Mapping[str, int], partners: int) -> PeriodIndicators:
    return PeriodIndicators(
        period=period,
        partners=partners,
        deals=deal_indicators(facts.deals, period),
        marketing=marketing_indicators(facts.mdf_requests, facts.mdf_spend, facts.mdf_results, period),
        engagement=engagement_indicators(facts.engagements, points, period),
    )
