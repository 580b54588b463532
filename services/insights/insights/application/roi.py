"""The ROI table: every incentive's return per quarter in one currency, by the method of
:mod:`insights.domain.roi` (stated with the results)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from ..domain.incentives import resolve_costs
from ..domain.quarters import quarter_index, quarter_of
from ..domain.roi import RoiInputs, RoiMethod, RoiResult, incentives_in, roi
from .memo import ResultMemo
from .money_ports import RoiQueries


@dataclass(frozen=True)
class RoiQuery:
    currency: str
    quarter_from: str | None = None
    quarter_to: str | None = None
    incentive: str | None = None


async def roi_table(
    queries: RoiQueries, query: RoiQuery, method: RoiMethod, memo: ResultMemo | None = None
) -> list[RoiResult]:
    """The rows ``query`` selects; the whole table of its currency is computed once per read-model
    version when a ``memo`` is given (it reads every win and reward of the currency)."""
    if memo is None:
        table = await _whole_table(queries, query.currency, method)
    else:
        key = ("roi", query.currency, method)
        table = await memo.get(key, await queries.version(), lambda: _whole_table(queries, query.currency, method))
    low = quarter_index(query.quarter_from) if query.quarter_from else None
    high = quarter_index(query.quarter_to) if query.quarter_to else None
    return [
        row
        for row in table
        if (low is None or quarter_index(row.quarter) >= low)
        and (high is None or quarter_index(row.quarter) <= high)
        and (query.incentive is None or row.incentive == query.incentive)
    ]


async def _whole_table(queries: RoiQueries, currency: str, method: RoiMethod) -> list[RoiResult]:
    facts = await queries.facts(currency)
    costs = [c for c in resolve_costs(facts.entries, facts.deal_of_event, facts.deals) if c.currency == currency]
    revenue: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for deal in facts.won:
        revenue[(deal.partner_id, quarter_of(deal.closed_on))] += facts.net_revenue.get(deal.deal_id, Decimal(0))
    inputs = RoiInputs(tuple(costs), revenue, facts.net_revenue, facts.known_since)
    return [roi(incentive, quarter, cur, inputs, method) for incentive, quarter, cur in incentives_in(costs)]
