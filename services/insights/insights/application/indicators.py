"""Use cases of the indicator time series and the cohort comparison."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ..domain.cohorts import CohortDimension, CohortRow, assign, compare, default_reference
from ..domain.errors import NotFound
from ..domain.indicators import PeriodIndicators, Sums, indicators_for
from ..domain.periods import Granularity, Period, periods_between
from .memo import ResultMemo
from .ports import InsightsQueries, Scope


@dataclass(frozen=True)
class SeriesQuery:
    scope: Scope
    currency: str
    granularity: Granularity
    since: date
    until: date
    after: str | None  # the last period key of the previous page
    limit: int


@dataclass(frozen=True)
class SeriesPage:
    items: list[PeriodIndicators]
    next_after: str | None


async def indicator_series(queries: InsightsQueries, q: SeriesQuery, points: Mapping[str, int]) -> SeriesPage:
    """One page of the scope's periods with their indicators (sums read for that page's span only)."""
    enrolled = await queries.enrolment_dates(q.scope)
    if q.scope.dimension == "partner" and not enrolled:
        raise NotFound(f"no partner {q.scope.value}")
    periods = periods_between(q.since, q.until, q.granularity)
    if q.after is not None:
        periods = [p for p in periods if p.key > q.after]
    page, more = periods[: q.limit], len(periods) > q.limit
    if not page:
        return SeriesPage([], None)
    sums = Sums(await queries.monthly(q.scope, q.currency, page[0].start, page[-1].end))
    items = [indicators_for(sums, p, points, sum(1 for day in enrolled if day <= p.end)) for p in page]
    return SeriesPage(items, page[-1].key if more else None)


@dataclass(frozen=True)
class CohortQuery:
    by: CohortDimension
    period: Period
    currency: str
    reference: str | None
    after: str | None
    limit: int


@dataclass(frozen=True)
class CohortPage:
    items: list[CohortRow]
    reference: str | None
    next_after: str | None


async def compare_cohorts(
    queries: InsightsQueries, q: CohortQuery, points: Mapping[str, int], memo: ResultMemo | None = None
) -> CohortPage:
    """The cohorts of ``q.by`` side by side for one period (partners enrolled by its end); every
    cohort of the period is computed once per read-model version when a ``memo`` is given."""
    if memo is None:
        reference, rows = await _all_cohorts(queries, q, points)
    else:
        key = ("cohorts", q.by, q.period, q.currency, q.reference, tuple(sorted(points.items())))
        reference, rows = await memo.get(key, await queries.version(), lambda: _all_cohorts(queries, q, points))
    if q.after is not None:
        rows = [r for r in rows if r.cohort > q.after]
    page, more = rows[: q.limit], len(rows) > q.limit
    return CohortPage(page, reference, page[-1].cohort if more and page else None)


async def _all_cohorts(
    queries: InsightsQueries, q: CohortQuery, points: Mapping[str, int]
) -> tuple[str | None, list[CohortRow]]:
    profiles = [p for p in await queries.profiles() if p.enrolled_on <= q.period.end]
    members = assign(profiles, q.by)
    reference = q.reference if q.reference is not None else default_reference(q.by, list(members))
    if reference is not None and reference not in members:
        raise NotFound(f"no cohort {reference} under {q.by} in {q.period.key}")
    monthly = await queries.monthly_by_group(members, q.currency, q.period.start, q.period.end)
    sums = {group: Sums(monthly[group]) for group in members}
    return reference, compare(sums, {group: len(ids) for group, ids in members.items()}, q.period, points, reference)
