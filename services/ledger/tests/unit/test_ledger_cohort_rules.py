"""Pilots in rule resolution: the cohort's variant applies only as recorded before an event, and only on
the days the partner is in the cohort; what-if versions; and the pilot report's arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from ledger.domain.catalog import Catalog, WhatIf
from ledger.domain.cohorts import CohortChange, Cohorts, Pilot, members_during
from ledger.domain.pilot_report import group_metrics
from ledger.domain.simulation import Earned, compare, earned
from ledger.domain.state import DealRecord, WonDeal
from ledger_support import program

D = Decimal
T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 2, 1, tzinfo=UTC)
PILOT = Pilot("p", "growth", "growth-pilot", "cohort", "control", date(2026, 1, 1), date(2026, 6, 30), T0)
BASE = program(program_id="growth")
VARIANT = program(program_id="growth-pilot", version=1)


def _catalog(*changes: CohortChange) -> Catalog:
    return Catalog([BASE, VARIANT], Cohorts([PILOT], changes))


def test_the_variant_applies_to_cohort_members_inside_the_pilot_only():
    catalog = _catalog(
        CohortChange("p1", "cohort", date(2026, 1, 1), True, T0, 1),
        CohortChange("p1", "cohort", date(2026, 3, 1), False, T0, 2),
    )
    assert catalog.for_partner("p1", "growth", date(2026, 2, 1), T1).program_id == "growth-pilot"  # type: ignore[union-attr]
    assert catalog.for_partner("p1", "growth", date(2026, 3, 1), T1).program_id == "growth"  # type: ignore[union-attr]
    assert catalog.for_partner("p2", "growth", date(2026, 2, 1), T1).program_id == "growth"  # type: ignore[union-attr]
    assert catalog.for_partner("p1", "growth", date(2026, 7, 1), T1).program_id == "growth"  # type: ignore[union-attr]


def test_a_cohort_change_recorded_after_the_event_does_not_apply_to_it():
    late = _catalog(CohortChange("p1", "cohort", date(2026, 1, 1), True, T1, 1))
    assert late.for_partner("p1", "growth", date(2026, 2, 1), T0).program_id == "growth"  # type: ignore[union-attr]
    assert late.for_partner("p1", "growth", date(2026, 2, 1), T1).program_id == "growth-pilot"  # type: ignore[union-attr]


def test_without_a_variant_version_in_force_the_base_applies():
    catalog = Catalog([BASE], Cohorts([PILOT], [CohortChange("p1", "cohort", date(2026, 1, 1), True, T0, 1)]))
    assert catalog.for_partner("p1", "growth", date(2026, 2, 1), T1).program_id == "growth"  # type: ignore[union-attr]


def test_a_what_if_version_applies_in_its_window_whatever_was_published():
    draft = program(program_id="growth", version=9, effective_from=date(2026, 2, 1))
    catalog = Catalog([BASE], what_if=WhatIf(draft, until=date(2026, 2, 28)))
    assert catalog.in_force("growth", date(2026, 2, 10), T0).version == 9  # type: ignore[union-attr]
    assert catalog.in_force("growth", date(2026, 3, 1), T0).version == 1  # type: ignore[union-attr]
    assert catalog.in_force("growth", date(2026, 1, 31), T0).version == 1  # type: ignore[union-attr]


def test_members_during_a_window():
    changes = [
        CohortChange("a", "cohort", date(2025, 12, 1), True, T0, 1),
        CohortChange("b", "cohort", date(2026, 2, 1), True, T0, 2),
        CohortChange("c", "cohort", date(2025, 12, 1), True, T0, 3),
        CohortChange("c", "cohort", date(2025, 12, 31), False, T0, 4),
        CohortChange("d", "control", date(2026, 1, 1), True, T0, 5),
    ]
    assert members_during(changes, "cohort", date(2026, 1, 1), date(2026, 3, 31)) == {"a", "b"}


def test_earnings_and_a_groups_metrics():
    rows = [
        ("a", "rebate", "program:growth:rebate_expense", "USD", D("80.00")),
        ("a", "rebate", "partner:a:rebates_payable", "USD", D("-80.00")),
        ("a", "clawback", "program:growth:rebate_expense", "USD", D("-20.00")),
        ("a", "rebate", "program:growth:rewards_capped", "USD", D("5.00")),
        ("a", "mdf_accrual", "program:growth:mdf_accrual_expense", "USD", D("10.00")),
        ("a", "hold", "partner:a:rebates_held", "USD", D("-60.00")),
    ]
    totals = earned(rows)
    assert totals == {("a", "USD"): Earned(D("60.00"), D("5.00"), D("10.00"))}
    assert compare(totals, {("a", "USD"): Earned(D("90.00"))})[0].difference.rewards == D("30.00")

    won = WonDeal("ev", "cloud", "USD", D("1000.00"), date(2026, 2, 1), "growth", 1)
    deals = [
        DealRecord("d1", "a", won=won, reversed_amount=D("250.00")),
        DealRecord("d2", "a", lost_on=date(2026, 2, 5)),
        DealRecord("d3", "a", lost_on=date(2025, 2, 5)),  # outside the window
        DealRecord("d4", "z", won=won),  # not a member
    ]
    (usd,) = group_metrics({"a"}, deals, totals, date(2026, 1, 1), date(2026, 3, 31)).values()
    assert (usd.won_deals, usd.lost_deals, usd.win_rate, usd.won_revenue, usd.reward_cost) == (
        1, 1, D("0.5000"), D("750.00"), D("60.00"),
    )  # fmt: skip
    assert usd.cost_ratio == D("0.0800")
