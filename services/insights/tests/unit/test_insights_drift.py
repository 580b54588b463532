"""Drift thresholds: the document, the version in force and the evaluation, worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from insights.domain.drift import Rule, Scope, Threshold, evaluate, in_force
from insights.domain.threshold_document import InvalidThresholds, parse_thresholds

D = Decimal
DOCUMENT = """
version: 2
effective_from: 2026-07-01
thresholds:
  - {id: win-rate-drop, indicator: win_rate, scope: partner, rule: drop_percent, limit: 25, baseline_periods: 3}
  - {id: pipeline-floor, indicator: pipeline, scope: cohort, rule: below, limit: 1000.50, severity: critical}
"""


def test_the_document_reads_exact_numbers():
    doc = parse_thresholds(DOCUMENT)

    assert (doc.version, doc.effective_from) == (2, date(2026, 7, 1))
    assert doc.thresholds[0] == Threshold("win-rate-drop", "win_rate", Scope.PARTNER, Rule.DROP_PERCENT, D(25), 3)
    assert (doc.thresholds[1].limit, doc.thresholds[1].severity) == (D("1000.50"), "critical")


def test_every_problem_of_a_document_is_named():
    bad = (
        "version: 0\nthresholds:\n"
        "  - {id: a, indicator: x, scope: region, rule: drop_percent, limit: ten, colour: red}\n"
    )
    with pytest.raises(InvalidThresholds) as caught:
        parse_thresholds(bad)

    assert caught.value.errors == [
        "version: a positive integer is required",
        "effective_from: a date YYYY-MM-DD is required",
        "thresholds[0].colour: unknown field",
        "thresholds[0].scope: one of partner, cohort",
        "thresholds[0].limit: a number is required",
    ]


def test_the_version_in_force_is_the_latest_effective_on_the_date():
    v1 = parse_thresholds(DOCUMENT.replace("version: 2", "version: 1").replace("2026-07-01", "2026-01-01"))
    v2 = parse_thresholds(DOCUMENT)

    assert in_force([v1, v2], date(2026, 6, 30)) == v1
    assert in_force([v1, v2], date(2026, 7, 1)) == v2
    assert in_force([v1, v2], date(2025, 12, 31)) is None


def test_a_drop_beyond_the_limit_from_the_baseline_mean_drifts():
    drop = Threshold("w", "win_rate", Scope.PARTNER, Rule.DROP_PERCENT, D(25), 3)
    # baseline mean (0.40 + 0.50 + 0.60) / 3 = 0.50; 0.37 is down 26 % -> drift, 0.38 down 24 % -> none
    drift = evaluate(drop, 2, "p-1", "2026-Q3", D("0.37"), [D("0.9"), D("0.40"), D("0.50"), D("0.60")])

    assert drift is not None
    assert (drift.baseline, drift.change, drift.subject, drift.period) == (D("0.5000"), D("-0.2600"), "p-1", "2026-Q3")
    assert evaluate(drop, 2, "p-1", "2026-Q3", D("0.38"), [D("0.40"), D("0.50"), D("0.60")]) is None
    assert drift.alert_id == evaluate(drop, 2, "p-1", "2026-Q3", D("0.30"), [D("0.40"), D("0.50"), D("0.60")]).alert_id  # type: ignore[union-attr]


def test_no_drift_without_a_full_baseline_or_with_a_zero_one():
    drop = Threshold("w", "win_rate", Scope.PARTNER, Rule.DROP_PERCENT, D(25), 3)

    assert evaluate(drop, 1, "p", "2026-Q3", D(0), [D("0.5"), D("0.5")]) is None
    assert evaluate(drop, 1, "p", "2026-Q3", D(0), [None, D("0.5"), D("0.5")]) is None
    assert evaluate(drop, 1, "p", "2026-Q3", D(0), [D(0), D(0), D(0)]) is None
    rise = Threshold("r", "pipeline", Scope.COHORT, Rule.RISE_PERCENT, D(50), 2)
    assert evaluate(rise, 1, "gold", "2026-Q3", D(150), [D(100), D(100)]) is not None  # +50 % reaches the limit


def test_absolute_limits():
    floor = Threshold("f", "pipeline", Scope.COHORT, Rule.BELOW, D("1000.50"), 1)
    ceiling = Threshold("c", "time_to_close_p90", Scope.PARTNER, Rule.ABOVE, D(90), 1)

    assert evaluate(floor, 1, "emea", "2026-Q3", D("1000.49"), []) is not None
    assert evaluate(floor, 1, "emea", "2026-Q3", D("1000.50"), []) is None
    assert evaluate(ceiling, 1, "p", "2026-Q3", D(91), []) is not None
    assert evaluate(ceiling, 1, "p", "2026-Q3", None, []) is None
