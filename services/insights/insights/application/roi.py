"""The ROI table: every incentive's return per quarter in one currency, by the method of
:mod:`insights.domain.roi` (stated with the results)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from ..domain.incentives import resolve_costs
from ..domain.quarters import quarter_index, quarter_of
from ..domain.roi import RoiInputs, RoiMethod, RoiResult, incentives_in, roi
from .money_ports import RoiQueries


@dataclass(frozen=True)
class RoiQuery:
    currency: str
    quarter_from: str | None = None
    quarter_to: str | None = None
    incentive: str | None = None


async def roi_table(queries: RoiQueries, query: RoiQuery, method: RoiMethod) -> list[RoiResult]:
    facts = await queries.facts(query.currency)
    costs = [c for c in resolve_costs(facts.entries, facts.deal_of_event, facts.deals) if c.currency == query.currency]
    revenue: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for deal in facts.won:
        revenue[(deal.partner_id, quarter_of(deal.closed_on))] += facts.net_revenue.get(deal.deal_id, Decimal(0))
    inputs = RoiInputs(tuple(costs), revenue, facts.net_revenue, facts.known_since)
    low = quarter_index(query.quarter_from) if query.quarter_from else None
    high = quarter_index(query.quarter_to) if query.quarter_to else None
    results = []
    for incentive, quarter, currency in incentives_in(costs):
        at = quarter_index(quarter)
        if (low is not None and at < low) or (high is not None and at > high):
            continue
        if query.incentive is not None and incentive != query.incentive:
            continue
        results.append(roi(incentive, quarter, currency, inputs, method))
    return results
