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
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from .facts import FUNNEL, OPEN_STAGES, DealFact, EngagementFact, MdfRequestFact, MdfResultFact, MdfSpendFact
from .monthly import (
    Monthly,
    add,
    deal_contributions,
    engagement_contributions,
    request_contributions,
    result_contributions,
    spend_contributions,
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


def median_of(histogram: Mapping[int, int]) -> Decimal | None:
    """The median of values given as value -> how many (the mean of the two middle ones for an even count)."""
    n = sum(histogram.values())
    if not n:
        return None
    middle = [_ranked(histogram, (n + 1) // 2), _ranked(histogram, n // 2 + 1)]
    return Decimal(middle[0]) if n % 2 else Decimal(middle[0] + middle[1]) / 2


def nearest_rank_of(histogram: Mapping[int, int], percent: int) -> int | None:
    """The ceil(percent * n / 100)-th smallest value (nearest rank)."""
    n = sum(histogram.values())
    return _ranked(histogram, max(math.ceil(percent * n / 100), 1)) if n else None


def _ranked(histogram: Mapping[int, int], rank: int) -> int:
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise ValueError(f"rank {rank} beyond {seen} values")


def median(values: Sequence[int]) -> Decimal | None:
    return median_of(Counter(values))


def percentile_nearest_rank(values: Sequence[int], percent: int) -> int | None:
    return nearest_rank_of(Counter(values), percent)


class Sums:
    """The monthly sums of one scope, by metric, summed over a period or up to a day."""

    def __init__(self, monthly: Monthly) -> None:
        self.by_metric: dict[str, list[tuple[date, str, Decimal]]] = defaultdict(list)
        for (_, month, metric, key), value in monthly.items():
            self.by_metric[metric].append((month, key, value))

    def within(self, metric: str, period: Period) -> dict[str, Decimal]:
        return self._sum(metric, lambda month: period.start <= month <= period.end)

    def upto(self, metric: str, day: date) -> dict[str, Decimal]:
        return self._sum(metric, lambda month: month <= day)

    def total(self, metric: str, period: Period) -> Decimal:
        return sum(self.within(metric, period).values(), Decimal(0))

    def _sum(self, metric: str, holds: Callable[[date], bool]) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(Decimal)
        for month, key, value in self.by_metric.get(metric, ()):
            if holds(month):
                out[key] += value
        return out


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


def deal_indicators(sums: Sums, period: Period) -> DealIndicators:
    pipeline, counts = sums.upto("pipeline", period.end), sums.upto("open", period.end)
    stages = {stage: pipeline.get(stage, Decimal(0)) for stage in OPEN_STAGES}
    open_deals = int(sum(counts.values(), Decimal(0)))
    registrations = int(sums.total("registrations", period))
    reached = sums.within("reached", period)
    conversion = {s: ratio(int(reached.get(s, 0)), registrations) for s in FUNNEL}
    won, lost = int(sums.total("won", period)), int(sums.total("lost", period))
    won_revenue = sums.total("won_revenue", period)
    days = {int(k): int(v) for k, v in sums.within("days", period).items() if v}
    win_rate = ratio(won, won + lost)
    average = (won_revenue / won).quantize(AMOUNT, rounding=ROUND_HALF_EVEN) if won else None
    mean_days = ratio(sums.total("days_sum", period), won)
    velocity = None
    if win_rate is not None and average is not None and mean_days:
        velocity = (open_deals * win_rate * average / mean_days).quantize(AMOUNT, rounding=ROUND_HALF_EVEN)
    return DealIndicators(
        pipeline_by_stage=stages,
        pipeline_total=sum(stages.values(), Decimal(0)),
        open_deals=open_deals,
        registrations=registrations,
        stage_conversion=conversion,
        won_deals=won,
        lost_deals=lost,
        won_revenue=won_revenue,
        win_rate=win_rate,
        average_deal_size=average,
        mean_days_to_close=mean_days,
        median_days_to_close=median_of(days),
        p90_days_to_close=nearest_rank_of(days, 90),
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


def marketing_indicators(sums: Sums, period: Period) -> MarketingIndicators:
    def total(metric: str) -> Decimal:
        return sums.total(metric, period)

    return MarketingIndicators(
        requests=int(total("mdf_requests")),
        requested=total("mdf_requested"),
        approved=total("mdf_approved"),
        spend=total("mdf_spend"),
        activities_reported=int(total("mdf_reported")),
        reported_spend=total("mdf_reported_spend"),
        registrations=int(total("mdf_registrations")),
        attendees=int(total("mdf_attendees")),
        leads=int(total("mdf_leads")),
        opportunities_influenced=int(total("mdf_opportunities")),
    )


@dataclass(frozen=True)
class EngagementIndicators:
    activities: int
    by_kind: Mapping[str, int]
    points: int


def engagement_indicators(sums: Sums, points: Mapping[str, int], period: Period) -> EngagementIndicators:
    kinds = {kind: int(n) for kind, n in sorted(sums.within("engagement", period).items()) if n}
    return EngagementIndicators(
        activities=sum(kinds.values()),
        by_kind=kinds,
        points=sum(points.get(kind, 0) * count for kind, count in kinds.items()),
    )


@dataclass(frozen=True)
class PeriodIndicators:
    period: Period
    partners: int
    deals: DealIndicators
    marketing: MarketingIndicators
    engagement: EngagementIndicators


def indicators_for(sums: Sums, period: Period, points: Mapping[str, int], partners: int) -> PeriodIndicators:
    return PeriodIndicators(
        period=period,
        partners=partners,
        deals=deal_indicators(sums, period),
        marketing=marketing_indicators(sums, period),
        engagement=engagement_indicators(sums, points, period),
    )


@dataclass(frozen=True)
class Facts:
    """Facts as they are, for computing their monthly sums in one go (tests, and a check of the sums)."""

    deals: Sequence[DealFact]
    mdf_requests: Sequence[MdfRequestFact] = ()
    mdf_spend: Sequence[MdfSpendFact] = ()
    mdf_results: Sequence[MdfResultFact] = ()
    engagements: Sequence[EngagementFact] = ()


def summarize(facts: Facts) -> Sums:
    """The monthly sums of ``facts``: what the projection keeps up to date event by event."""
    return Sums(
        add(
            {},
            [
                *(deal_contributions(d) for d in facts.deals),
                *(request_contributions(r) for r in facts.mdf_requests),
                *(spend_contributions(s) for s in facts.mdf_spend),
                *(result_contributions(r) for r in facts.mdf_results),
                *(engagement_contributions(e) for e in facts.engagements),
            ],
        )
    )
