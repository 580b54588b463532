"""The ROI method on a program small enough to work out by hand (figures in the comments)."""

from __future__ import annotations

from decimal import Decimal

from insights.domain.incentives import DealFacts, EntryFacts, Posting, RewardCost, resolve_costs
from insights.domain.roi import RoiInputs, RoiMethod, roi

D = Decimal
SPIFF = "p/spiff:x"
METHOD = RoiMethod(baseline_quarters=2, min_treated=2, min_comparison=2)

# Won revenue (USD): quarters 2026-Q1, Q2 are the baseline window of an incentive first paid in Q3.
#        Q1   Q2   baseline  Q3   uplift
#   A   100  200    150     400    250     treated
#   B     0  100     50     150    100     treated
#   C   100  100    100     130     30     comparison
#   D   200    0    100     110     10     comparison
REVENUE = {
    ("A", "2026-Q1"): D(100), ("A", "2026-Q2"): D(200), ("A", "2026-Q3"): D(400),
    ("B", "2026-Q2"): D(100), ("B", "2026-Q3"): D(150),
    ("C", "2026-Q1"): D(100), ("C", "2026-Q2"): D(100), ("C", "2026-Q3"): D(130),
    ("D", "2026-Q1"): D(200), ("D", "2026-Q3"): D(110),
}  # fmt: skip
KNOWN = {"A": "2026-Q1", "B": "2026-Q1", "C": "2026-Q1", "D": "2026-Q1"}
COSTS = (
    RewardCost("e1", "A", SPIFF, "a1", "2026-Q3", "USD", D("30.00")),
    RewardCost("e2", "B", SPIFF, "b1", "2026-Q3", "USD", D("20.00")),
    RewardCost("e3", "B", SPIFF, "b1", "2026-Q3", "USD", D("-5.00")),  # a partial clawback
)
ATTRIBUTED = {"a1": D(400), "b1": D(150)}


def inputs(known: dict[str, str] = KNOWN) -> RoiInputs:
    return RoiInputs(costs=COSTS, revenue=REVENUE, attributed=ATTRIBUTED, known_since=known)


def test_the_effect_is_the_treated_uplift_net_of_the_comparison_groups():
    result = roi(SPIFF, "2026-Q3", "USD", inputs(), METHOD)

    assert result.cost == D("45.00")  # 30 + 20 - 5
    assert result.attributed_revenue == D("550.00")  # deals a1 and b1
    assert result.cost_per_attributed_revenue == D("0.0818")  # 45 / 550 = 0.08181...
    assert (result.treated_partners, result.treated_with_baseline, result.comparison_partners) == (2, 2, 2)
    assert result.baseline_revenue == D("200.00")  # 150 + 50
    assert result.incremental_revenue == D("350.00")  # (400 - 150) + (150 - 50)
    assert result.comparison_uplift == D("40.00")  # mean(30, 10) = 20, once per treated partner
    assert result.effect == D("310.00")  # 350 - 40
    assert result.cost_of_treated_with_baseline == D("45.00")
    assert result.return_on_cost == D("5.8889")  # (310 - 45) / 45 = 5.888...
    assert result.notes == ()


def test_too_few_treated_partners_withholds_the_incremental_figures():
    result = roi(SPIFF, "2026-Q3", "USD", inputs(), RoiMethod(baseline_quarters=2, min_treated=3, min_comparison=2))

    assert (result.cost, result.attributed_revenue) == (D("45.00"), D("550.00"))
    assert (result.incremental_revenue, result.effect, result.return_on_cost) == (None, None, None)
    assert "sample too small: 2 treated partner(s)" in result.notes[0]


def test_a_partner_without_a_full_baseline_is_left_out_of_the_uplift():
    # B is known only from 2026-Q2: its two-quarter baseline window (Q1, Q2) is incomplete.
    result = roi(SPIFF, "2026-Q3", "USD", inputs({**KNOWN, "B": "2026-Q2"}), METHOD)

    assert (result.treated_partners, result.treated_with_baseline) == (2, 1)
    assert result.incremental_revenue is None
    assert result.cost == D("45.00")


def test_too_small_a_comparison_group_shows_the_incremental_revenue_but_no_effect():
    result = roi(SPIFF, "2026-Q3", "USD", inputs({**KNOWN, "D": "2026-Q2"}), METHOD)

    assert result.incremental_revenue == D("350.00")
    assert result.comparison_partners == 1
    assert (result.effect, result.return_on_cost) == (None, None)
    assert "comparison group too small: 1 partner(s)" in result.notes[0]


def test_a_partner_paid_the_incentive_later_is_in_the_comparison_group_until_then():
    later = (*COSTS, RewardCost("e4", "C", SPIFF, "c1", "2026-Q4", "USD", D("10.00")))
    known = {**KNOWN, "E": "2026-Q1"}
    result = roi(SPIFF, "2026-Q3", "USD", RoiInputs(later, REVENUE, ATTRIBUTED, known), METHOD)

    # comparison in Q3: C (not yet paid), D and E (no revenue: uplift 0) -> mean (30 + 10 + 0) / 3 = 13.33..
    assert result.comparison_partners == 3
    assert result.comparison_uplift == D("26.67")  # 2 x 13.333...
    assert result.effect == D("323.33")  # 350 - 26.666...


def _entry(entry_id: str, kind: str, rule_id: str, caused_by: str, *postings: tuple[str, str]) -> EntryFacts:
    return EntryFacts(
        entry_id, "A", kind, rule_id, caused_by, "2026-Q4", tuple(Posting(a, "USD", D(x)) for a, x in postings)
    )


def test_costs_are_named_by_the_rule_rebates_by_product_line_and_clawbacks_follow_the_deal():
    deals = {"d1": DealFacts("d1", "cloud", "2026-Q3")}
    events = {"won-1": "d1", "rev-1": "d1"}
    payable, held, mdf = "partner:A:rebates_payable", "partner:A:rebates_held", "partner:A:mdf_available"
    entries = [
        _entry("r", "rebate", "p/rebate", "won-1", ("program:p:rebate_expense", "40"), (payable, "-40")),
        _entry("s", "spiff", "p/spiff:x", "won-1", ("program:p:spiff_expense", "10"), (payable, "-10")),
        _entry("m", "mdf_accrual", "p/mdf_accrual", "won-1", ("program:p:mdf_accrual_expense", "8"), (mdf, "-8")),
        _entry("c", "clawback", "p/clawback", "rev-1", ("program:p:spiff_expense", "-5"), (payable, "5")),
        _entry("h", "hold", "ledger/holds", "won-1", (payable, "40"), (held, "-40")),
        _entry("v", "mdf_allocation", "ledger/mdf", "alloc-1", ("vendor:marketing:mdf_expense", "500"), (mdf, "-500")),
    ]

    costs = {(c.entry_id, c.incentive, c.deal_id, c.quarter, c.amount) for c in resolve_costs(entries, events, deals)}

    assert costs == {
        ("r", "p/rebate:cloud", "d1", "2026-Q3", D(40)),
        ("s", "p/spiff:x", "d1", "2026-Q3", D(10)),
        ("m", "p/mdf_accrual", "d1", "2026-Q3", D(8)),
        ("c", "p/spiff:x", "d1", "2026-Q3", D(-5)),  # the clawback counts against the quarter of the win
        ("v", "vendor/mdf_allocation", None, "2026-Q4", D(500)),
    }
