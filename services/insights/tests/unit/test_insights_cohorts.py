"""Cohort assignment and the side-by-side comparison, worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from insights.domain.cohorts import assign, compare, default_reference
from insights.domain.facts import PartnerProfile
from insights.domain.indicators import Facts, Sums, summarize
from insights.domain.periods import parse_period
from insights_builders import deal

D = date
Q1 = parse_period("2026-Q1")


def profile(pid: str, tier: str | None, region: str, vertical: str | None, enrolled: date, program: str,
            rewarded: set[str]) -> PartnerProfile:  # fmt: skip
    return PartnerProfile(pid, f"Partner {pid}", program, region, vertical, tier, enrolled, frozenset(rewarded))


def by_cohort(facts: Facts, members: dict[str, list[str]]) -> tuple[dict[str, Sums], dict[str, int]]:
    """Each cohort's monthly sums and size, as the store reads them for the comparison."""
    sums = {key: summarize(Facts([d for d in facts.deals if d.partner_id in ids])) for key, ids in members.items()}
    return sums, {key: len(ids) for key, ids in members.items()}


PROFILES = [
    profile("A", "gold", "emea", "health", D(2025, 11, 3), "core", {"core"}),
    profile("B", "gold", "amer", None, D(2026, 1, 15), "core", {"core-pilot"}),  # rewarded under the variant
    profile("C", None, "emea", "finance", D(2026, 2, 1), "core", set()),
    profile("D", "silver", "emea", "health", D(2026, 1, 1), "other", {"other"}),
]


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("tier", {"gold": ["A", "B"], "silver": ["D"], "untiered": ["C"]}),
        ("region", {"amer": ["B"], "emea": ["A", "C", "D"]}),
        ("vertical", {"finance": ["C"], "health": ["A", "D"], "none": ["B"]}),
        ("enrolment_quarter", {"2025-Q4": ["A"], "2026-Q1": ["B", "C", "D"]}),
        # core has a variant (B was rewarded under core-pilot): A and C are its control arm; D's
        # program has no variant, so D is in no pilot arm
        ("pilot", {"control:core": ["A", "C"], "variant:core-pilot": ["B"]}),
    ],
)
def test_partners_fall_into_cohorts(by: str, expected: dict[str, list[str]]) -> None:
    assert assign(PROFILES, by) == expected  # type: ignore[arg-type]


def test_pilot_variant_against_control() -> None:
    facts = Facts(
        deals=[
            # control arm: A wins 1000 and loses one; C has 500 open
            deal("a1", D(2026, 1, 5), "1000", partner="A", closed=("won", D(2026, 1, 15)), won="1000"),
            deal("a2", D(2026, 1, 6), "300", partner="A", closed=("lost", D(2026, 2, 1))),
            deal("c1", D(2026, 2, 3), "500", partner="C"),
            # variant arm: B wins 2000 and 1000
            deal("b1", D(2026, 1, 20), "2000", partner="B", closed=("won", D(2026, 2, 20)), won="2000"),
            deal("b2", D(2026, 2, 1), "1000", partner="B", closed=("won", D(2026, 3, 1)), won="1000"),
        ],
        mdf_requests=[],
        mdf_spend=[],
        mdf_results=[],
        engagements=[],
    )
    members = assign(PROFILES, "pilot")
    reference = default_reference("pilot", list(members))
    assert reference == "control:core"
    rows = {r.cohort: r for r in compare(*by_cohort(facts, members), Q1, {}, reference)}

    control, variant = rows["control:core"], rows["variant:core-pilot"]
    # control: 2 partners, 3 registrations, 1 won of 2 closed, 1000 won, 500 open
    assert control.indicators.partners == 2
    assert control.indicators.deals.win_rate == Decimal("0.5000")
    assert control.indicators.deals.average_deal_size == Decimal("1000.0000")
    assert control.per_partner.registrations == Decimal("1.5000")  # 3 / 2
    assert control.per_partner.won_revenue == Decimal("500.0000")  # 1000 / 2
    assert control.per_partner.pipeline == Decimal("250.0000")  # 500 / 2
    # variant: 1 partner, 2 registrations, 2 won of 2, 3000 won
    assert variant.indicators.deals.win_rate == Decimal("1.0000")
    assert variant.indicators.deals.average_deal_size == Decimal("1500.0000")
    assert variant.per_partner.won_revenue == Decimal("3000.0000")
    # variant minus control
    assert variant.difference == {
        "win_rate": Decimal("0.5000"),
        "average_deal_size": Decimal("500.0000"),
        "registrations_per_partner": Decimal("0.5000"),  # 2 - 1.5
        "won_revenue_per_partner": Decimal("2500.0000"),  # 3000 - 500
        "pipeline_per_partner": Decimal("-250.0000"),  # 0 - 250
        "engagement_points_per_partner": Decimal("0.0000"),
    }
    assert control.difference is not None
    assert set(control.difference.values()) == {Decimal(0)}


def test_no_reference_no_difference() -> None:
    empty = Facts([], [], [], [], [])
    members = assign(PROFILES, "tier")
    assert default_reference("tier", list(members)) is None
    rows = compare(*by_cohort(empty, members), Q1, {}, None)
    assert [r.cohort for r in rows] == ["gold", "silver", "untiered"]
    assert all(r.difference is None for r in rows)
    assert rows[0].indicators.deals.win_rate is None
