"""A pilot's report: its cohort against its control cohort over a window, per currency: partners,
won revenue (net of reversals), deals won and lost, win rate, and reward cost (rewards net of
clawbacks, as the journal holds them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from .simulation import Earned
from .state import DealRecord

ZERO = Decimal(0)


@dataclass(frozen=True)
class GroupMetrics:
    partners: int
    currency: str
    won_deals: int
    lost_deals: int
    won_revenue: Decimal
    reward_cost: Decimal

    @property
    def win_rate(self) -> Decimal | None:
        decided = self.won_deals + self.lost_deals
        if not decided:
            return None
        return (Decimal(self.won_deals) / decided).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)

    @property
    def cost_ratio(self) -> Decimal | None:
        """Reward cost per unit of won revenue."""
        if not self.won_revenue:
            return None
        return (self.reward_cost / self.won_revenue).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)


def group_metrics(
    members: set[str],
    deals: Iterable[DealRecord],
    earned: Mapping[tuple[str, str], Earned],
    start: date,
    end: date,
) -> dict[str, GroupMetrics]:
    """Per currency; a currency appears once the group won, lost (in its deals' currency) or earned in it."""
    won: dict[str, int] = {}
    revenue: dict[str, Decimal] = {}
    lost = 0
    for deal in deals:
        if deal.partner_id not in members:
            continue
        if deal.won is not None and start <= deal.won.closed_on <= end:
            currency = deal.won.currency
            won[currency] = won.get(currency, 0) + 1
            revenue[currency] = revenue.get(currency, ZERO) + deal.won.amount - deal.reversed_amount
        elif deal.won is None and deal.lost_on is not None and start <= deal.lost_on <= end:
            lost += 1  # a lost deal has no amount, so no currency: it counts in every currency's rate
    cost: dict[str, Decimal] = {}
    for (partner_id, currency), e in earned.items():
        if partner_id in members:
            cost[currency] = cost.get(currency, ZERO) + e.rewards
    currencies = sorted(set(won) | set(cost)) or ["-"]
    return {
        c: GroupMetrics(len(members), c, won.get(c, 0), lost, revenue.get(c, ZERO), cost.get(c, ZERO))
        for c in currencies
    }
