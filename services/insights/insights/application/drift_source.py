"""The indicator values drift thresholds are evaluated on, read from the indicator read models.

A threshold's ``indicator`` names a field of the quarter's indicators: a deal indicator by its name
(``win_rate``, ``pipeline_total``, ``won_revenue``, ``average_deal_size``, ``pipeline_velocity``,
``median_days_to_close``...) or ``marketing.<field>`` / ``engagement.<field>`` (``marketing.spend``,
``engagement.points``). Money indicators are in the service's reporting currency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import date
from decimal import Decimal

from ..domain.drift import Scope, ThresholdSet
from ..domain.indicators import DealIndicators, EngagementIndicators, MarketingIndicators, PeriodIndicators
from ..domain.periods import parse_period
from ..domain.threshold_document import InvalidThresholds
from .indicators import SeriesQuery, indicator_series
from .ports import InsightsQueries
from .ports import Scope as ReadScope

COHORT_DIMENSIONS = ("tier", "region", "vertical", "program")
_SECTIONS = {"deals": DealIndicators, "marketing": MarketingIndicators, "engagement": EngagementIndicators}


def _numeric(kind: type) -> set[str]:
    return {f.name for f in fields(kind) if "Mapping" not in str(f.type)}


INDICATORS = frozenset(
    {f"{section}.{name}" for section, kind in _SECTIONS.items() for name in _numeric(kind)} | _numeric(DealIndicators)
)


def check_indicators(sets: Sequence[ThresholdSet]) -> None:
    """Refuse a threshold document naming an indicator the read models do not compute."""
    errors = [
        f"version {s.version}: {t.id}: unknown indicator {t.indicator!r}"
        for s in sets
        for t in s.thresholds
        if t.indicator not in INDICATORS
    ]
    if errors:
        raise InvalidThresholds(errors)


def value_of(indicators: PeriodIndicators, name: str) -> Decimal | None:
    section, _, field = name.rpartition(".")
    value = getattr(getattr(indicators, section or "deals"), field)
    return None if value is None else Decimal(value)


class ReadModelIndicators:
    """:class:`~insights.application.alerts.IndicatorSource` over the indicator read models."""

    def __init__(self, queries: InsightsQueries, currency: str, points: Mapping[str, int]) -> None:
        self.queries, self.currency, self.points = queries, currency, points

    async def subjects(self, scope: Scope) -> list[str]:
        profiles = await self.queries.profiles()
        if scope is Scope.PARTNER:
            return sorted(p.partner_id for p in profiles)
        values = {
            f"{dimension}:{value}"
            for p in profiles
            for dimension in COHORT_DIMENSIONS
            if (value := getattr(p, "program_id" if dimension == "program" else dimension)) is not None
        }
        return sorted(values)

    async def series(self, scope: Scope, subject: str, indicator: str, quarters: Sequence[str]) -> list[Decimal | None]:
        read_scope = ReadScope("partner", subject) if scope is Scope.PARTNER else ReadScope(*subject.split(":", 1))
        since: date = parse_period(quarters[0]).start
        until: date = parse_period(quarters[-1]).end
        query = SeriesQuery(read_scope, self.currency, "quarter", since, until, None, len(quarters))
        page = await indicator_series(self.queries, query, self.points)
        by_key = {item.period.key: item for item in page.items}
        return [value_of(by_key[q], indicator) if q in by_key else None for q in quarters]
