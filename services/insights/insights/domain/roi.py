"""Return on an incentive in one quarter and currency: its cost, the revenue attributed to it, and
the revenue it added over what its partners would have done anyway, as far as the data can tell.

The method (stated with every result, see :data:`METHOD`):

- **cost**: the net reward cost the ledger posted for the incentive on deals won in the quarter
  (rewards minus the clawbacks and confirmed-flag reversals that took them back);
- **attributed revenue**: the net won revenue of the deals that earned the incentive in the quarter;
- **baseline**: for each partner that received the incentive, its average quarterly won revenue over
  the ``baseline_quarters`` quarters before its first quarter with the incentive;
- **incremental revenue**: the partner's won revenue in the quarter minus its baseline, summed over
  the treated partners with a full baseline;
- **comparison group** (difference in differences): partners that had not received the incentive
  by the quarter and were known for the whole baseline window; each treated partner's uplift is
  reduced by the mean uplift of the comparison group over the same window and quarter;
- **effect**: incremental revenue net of the comparison group's uplift; **return** = (effect - cost
  of the treated partners with a baseline) / that cost.

Below ``min_treated`` treated partners (or ``min_comparison`` comparison partners) the numbers that
need them are withheld (None) with the reason, never shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cached_property

from incentive_contracts.currencies import minor_units

from .incentives import RewardCost
from .quarters import quarter_index, shift

RATIO_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class RoiMethod:
    baseline_quarters: int = 4
    min_treated: int = 5
    min_comparison: int = 5


METHOD = (
    "cost: net reward cost posted by the ledger for the incentive on deals won in the quarter "
    "(clawbacks and confirmed-flag reversals deducted); attributed revenue: net won revenue of the deals "
    "that earned it; baseline: each treated partner's average quarterly won revenue over the "
    "{baseline_quarters} quarters before its first quarter with the incentive; incremental revenue: "
    "quarter revenue minus baseline, summed over treated partners with a full baseline; effect: "
    "incremental revenue minus the mean uplift, over the same window, of partners without the incentive "
    "by that quarter (difference in differences); return: (effect - cost of those partners) / that cost."
)
ASSUMPTIONS = (
    "without the incentive a treated partner's revenue would have moved like the comparison group's (parallel trends)",
    "a partner is observed from its enrolment quarter (or its first win); quarters without wins count as zero revenue",
    "partners are assigned to the incentive by the ledger's postings, not at random",
)
LIMITS = (
    "revenue, not margin: the return compares revenue with reward cost",
    "incentives a partner receives at the same time are not separated: each is credited with the same uplift",
    "only one currency at a time: amounts in different currencies are never converted or added",
    "allocated MDF is not linked to deals in the events, so it has no attributed revenue",
)


@dataclass(frozen=True)
class RoiInputs:
    """The facts of one currency: costs per incentive, net won revenue per partner and quarter,
    and the quarter from which each partner is known."""

    costs: tuple[RewardCost, ...]
    revenue: Mapping[tuple[str, str], Decimal]  # (partner, quarter) -> net won revenue
    attributed: Mapping[str, Decimal]  # deal id -> net won revenue of the deal
    known_since: Mapping[str, str]  # partner -> first quarter observed
    averages: dict[tuple[str, str, int], Decimal] = field(default_factory=dict, compare=False, repr=False)
    window_totals: dict[tuple[str, str, int], tuple[int, Decimal, Decimal]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @cached_property
    def known_index(self) -> dict[str, int]:
        return {partner: quarter_index(quarter) for partner, quarter in self.known_since.items()}

    @cached_property
    def costs_by_key(self) -> dict[tuple[str, str], list[RewardCost]]:
        """(incentive, quarter) -> its costs (indexed once for every row of a table)."""
        grouped: dict[tuple[str, str], list[RewardCost]] = defaultdict(list)
        for cost in self.costs:
            grouped[(cost.incentive, cost.quarter)].append(cost)
        return grouped

    @cached_property
    def starts(self) -> dict[str, dict[str, str]]:
        """incentive -> partner -> the first quarter the partner was paid it."""
        by_incentive: dict[str, dict[str, str]] = defaultdict(dict)
        for (incentive, partner), quarter in first_quarters(self.costs).items():
            by_incentive[incentive][partner] = quarter
        return by_incentive


@dataclass(frozen=True)
class RoiResult:
    incentive: str
    quarter: str
    currency: str
    cost: Decimal
    attributed_revenue: Decimal
    cost_per_attributed_revenue: Decimal | None
    treated_partners: int
    treated_with_baseline: int
    comparison_partners: int
    baseline_revenue: Decimal | None
    incremental_revenue: Decimal | None
    comparison_uplift: Decimal | None
    effect: Decimal | None
    cost_of_treated_with_baseline: Decimal | None
    return_on_cost: Decimal | None
    notes: tuple[str, ...] = field(default_factory=tuple)


def _money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_EVEN)


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator == 0 else (numerator / denominator).quantize(RATIO_PLACES, rounding=ROUND_HALF_EVEN)


def first_quarters(costs: Iterable[RewardCost]) -> dict[tuple[str, str], str]:
    """(incentive, partner) -> the first quarter the partner was paid the incentive."""
    first: dict[tuple[str, str], str] = {}
    for cost in costs:
        if cost.amount <= 0:
            continue
        key = (cost.incentive, cost.partner_id)
        if key not in first or quarter_index(cost.quarter) < quarter_index(first[key]):
            first[key] = cost.quarter
    return first


def _average(inputs: RoiInputs, partner: str, start: str, quarters: int) -> Decimal:
    """The partner's mean quarterly revenue over the ``quarters`` before ``start`` (memoized: a
    comparison partner's average over a window serves every row that uses the window)."""
    key = (partner, start, quarters)
    if key not in inputs.averages:
        window = [shift(start, -k) for k in range(1, quarters + 1)]
        total = sum((inputs.revenue.get((partner, q), Decimal(0)) for q in window), Decimal(0))
        inputs.averages[key] = total / quarters
    return inputs.averages[key]


def _known_by(inputs: RoiInputs, partner: str, quarter: str) -> bool:
    since = inputs.known_index.get(partner)
    return since is not None and since <= quarter_index(quarter)


def roi(incentive: str, quarter: str, currency: str, inputs: RoiInputs, method: RoiMethod) -> RoiResult:
    """The incentive's return in ``quarter`` (all amounts in ``currency``)."""
    costs = inputs.costs_by_key.get((incentive, quarter), [])
    cost_by_partner: dict[str, Decimal] = defaultdict(Decimal)
    for c in costs:
        cost_by_partner[c.partner_id] += c.amount
    deals = {c.deal_id for c in costs if c.deal_id is not None and c.amount > 0}
    attributed = sum((inputs.attributed.get(d, Decimal(0)) for d in deals), Decimal(0))
    starts = inputs.starts.get(incentive, {})
    at = quarter_index(quarter)
    treated = sorted(p for p, q in starts.items() if quarter_index(q) <= at)
    window_start = {p: shift(starts[p], -method.baseline_quarters) for p in treated}
    with_baseline = [p for p in treated if _known_by(inputs, p, window_start[p])]
    cost = sum(cost_by_partner.values(), Decimal(0))
    base = _base_result(incentive, quarter, currency, cost, attributed, len(treated), len(with_baseline))
    notes: list[str] = []
    if len(with_baseline) < method.min_treated:
        notes.append(
            f"sample too small: {len(with_baseline)} treated partner(s) with {method.baseline_quarters} quarters "
            f"of history before the incentive, at least {method.min_treated} needed; no incremental revenue shown"
        )
        return _with(base, comparison_partners=0, notes=tuple(notes))
    baseline = sum((_average(inputs, p, starts[p], method.baseline_quarters) for p in with_baseline), Decimal(0))
    revenue = sum((inputs.revenue.get((p, quarter), Decimal(0)) for p in with_baseline), Decimal(0))
    incremental = revenue - baseline
    treated_cost = sum((cost_by_partner.get(p, Decimal(0)) for p in with_baseline), Decimal(0))
    uplift, used = _comparison_uplift(inputs, quarter, with_baseline, starts, treated, method)
    result = _with(
        base,
        baseline_revenue=_money(baseline, currency),
        incremental_revenue=_money(incremental, currency),
        cost_of_treated_with_baseline=_money(treated_cost, currency),
        comparison_partners=used,
    )
    if uplift is None:
        notes.append(
            f"comparison group too small: {used} partner(s) without the incentive known over the baseline "
            f"window, at least {method.min_comparison} needed; no effect or return shown"
        )
        return _with(result, notes=tuple(notes))
    effect = incremental - uplift
    return _with(
        result,
        comparison_uplift=_money(uplift, currency),
        effect=_money(effect, currency),
        return_on_cost=_ratio(effect - treated_cost, treated_cost),
        notes=tuple(notes),
    )


def _known_totals(inputs: RoiInputs, start: str, quarter: str, quarters: int) -> tuple[int, Decimal, Decimal]:
    """Every partner known over the window before ``start``: how many, their revenue in ``quarter``
    and the sum of their window averages (memoized: shared by every incentive's row)."""
    key = (start, quarter, quarters)
    if key not in inputs.window_totals:
        window_start = quarter_index(start) - quarters
        members = [c for c, since in inputs.known_index.items() if since <= window_start]
        revenue = sum((inputs.revenue.get((c, quarter), Decimal(0)) for c in members), Decimal(0))
        averages = sum((_average(inputs, c, start, quarters) for c in members), Decimal(0))
        inputs.window_totals[key] = (len(members), revenue, averages)
    return inputs.window_totals[key]


def _comparison_uplift(
    inputs: RoiInputs,
    quarter: str,
    treated: list[str],
    starts: Mapping[str, str],
    excluded: Sequence[str],
    method: RoiMethod,
) -> tuple[Decimal | None, int]:
    """Sum over treated partners of the comparison group's mean uplift over each one's window.

    The comparison group of a window is every partner known over it minus ``excluded`` (those paid
    the incentive by the quarter). Returns (None, n) when a treated partner's window has fewer than
    ``min_comparison`` partners; n is the smallest comparison group used. Partners that started in
    the same quarter share a window, so each window is computed once."""
    quarters = method.baseline_quarters
    total, smallest = Decimal(0), len(inputs.known_index)
    by_window: dict[str, tuple[Decimal, int]] = {}
    for partner in treated:
        start = starts[partner]
        if start not in by_window:
            count, revenue, averages = _known_totals(inputs, start, quarter, quarters)
            window_start = quarter_index(start) - quarters
            inside = [p for p in excluded if inputs.known_index.get(p, window_start + 1) <= window_start]
            count -= len(inside)
            revenue -= sum((inputs.revenue.get((p, quarter), Decimal(0)) for p in inside), Decimal(0))
            averages -= sum((_average(inputs, p, start, quarters) for p in inside), Decimal(0))
            by_window[start] = ((revenue - averages) / count if count else Decimal(0), count)
        mean, size = by_window[start]
        smallest = min(smallest, size)
        if size < method.min_comparison:
            return None, smallest
        total += mean
    return total, smallest


def _base_result(
    incentive: str, quarter: str, currency: str, cost: Decimal, attributed: Decimal, treated: int, with_baseline: int
) -> RoiResult:
    return RoiResult(
        incentive=incentive,
        quarter=quarter,
        currency=currency,
        cost=_money(cost, currency),
        attributed_revenue=_money(attributed, currency),
        cost_per_attributed_revenue=_ratio(cost, attributed),
        treated_partners=treated,
        treated_with_baseline=with_baseline,
        comparison_partners=0,
        baseline_revenue=None,
        incremental_revenue=None,
        comparison_uplift=None,
        effect=None,
        cost_of_treated_with_baseline=None,
        return_on_cost=None,
    )


def _with(result: RoiResult, **changes: object) -> RoiResult:
    return replace(result, **changes)  # type: ignore[arg-type]


def incentives_in(costs: Iterable[RewardCost]) -> list[tuple[str, str, str]]:
    """Every (incentive, quarter, currency) with a cost, in a stable order."""
    return sorted(
        {(c.incentive, c.quarter, c.currency) for c in costs}, key=lambda k: (quarter_index(k[1]), k[0], k[2])
    )


def method_text(method: RoiMethod) -> str:
    return METHOD.format(baseline_quarters=method.baseline_quarters)
