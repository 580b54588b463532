"""Drift thresholds (a versioned YAML document) and the evaluation of one indicator series.

A threshold names an indicator, whom it watches (``partner`` or ``cohort``) and a rule:

- ``drop_percent`` / ``rise_percent``: the period's value moved down / up by at least ``limit``
  percent from the mean of the ``baseline_periods`` periods before it (skipped when that mean is 0
  or a baseline period has no value);
- ``below`` / ``above``: the period's value is under / over ``limit``.

Documents are versioned like program versions: the version in force on a date is the one with the
latest ``effective_from`` on or before it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import Any

RATIO_PLACES = Decimal("0.0001")


class Rule(StrEnum):
    DROP_PERCENT = "drop_percent"
    RISE_PERCENT = "rise_percent"
    BELOW = "below"
    ABOVE = "above"


class Scope(StrEnum):
    PARTNER = "partner"
    COHORT = "cohort"


@dataclass(frozen=True)
class Threshold:
    id: str
    indicator: str
    scope: Scope
    rule: Rule
    limit: Decimal
    baseline_periods: int = 3
    severity: str = "warning"


@dataclass(frozen=True)
class ThresholdSet:
    version: int
    effective_from: date
    thresholds: tuple[Threshold, ...]


@dataclass(frozen=True)
class Drift:
    """A value beyond a threshold: what was observed against what it was compared with."""

    threshold_id: str
    indicator: str
    scope: Scope
    subject: str
    period: str
    value: Decimal
    baseline: Decimal | None
    change: Decimal | None  # relative change as a fraction (-0.25 = down 25 %), for percent rules
    limit: Decimal
    rule: Rule
    severity: str
    thresholds_version: int

    @property
    def alert_id(self) -> str:
        """The same drift evaluated twice is the same alert."""
        key = f"{self.thresholds_version}|{self.threshold_id}|{self.scope}|{self.subject}|{self.period}"
        return "alert-" + hashlib.sha256(key.encode()).hexdigest()[:24]


def drift_of(record: Mapping[str, Any]) -> Drift:
    """A drift as recorded (an ``insights.alert_raised`` payload or a stored alert): numbers as text."""

    def number(key: str) -> Decimal | None:
        return None if record.get(key) is None else Decimal(str(record[key]))

    value, limit = number("value"), number("limit")
    assert value is not None
    assert limit is not None
    return Drift(
        threshold_id=record["threshold_id"],
        indicator=record["indicator"],
        scope=Scope(record["scope"]),
        subject=record["scope_id"],
        period=record["period"],
        value=value,
        baseline=number("baseline"),
        change=number("change"),
        limit=limit,
        rule=Rule(record["rule"]),
        severity=record["severity"],
        thresholds_version=record["thresholds_version"],
    )


def in_force(sets: Sequence[ThresholdSet], on: date) -> ThresholdSet | None:
    candidates = [s for s in sets if s.effective_from <= on]
    return max(candidates, key=lambda s: (s.effective_from, s.version)) if candidates else None


def evaluate(
    threshold: Threshold,
    thresholds_version: int,
    subject: str,
    period: str,
    value: Decimal | None,
    history: Sequence[Decimal | None],
) -> Drift | None:
    """``history`` holds the values of the periods before ``period``, oldest first."""
    if value is None:
        return None
    baseline: Decimal | None = None
    change: Decimal | None = None
    if threshold.rule in (Rule.DROP_PERCENT, Rule.RISE_PERCENT):
        window = list(history[-threshold.baseline_periods :])
        if len(window) < threshold.baseline_periods or any(v is None for v in window):
            return None
        baseline = sum((v for v in window if v is not None), Decimal(0)) / threshold.baseline_periods
        if baseline == 0:
            return None
        change = ((value - baseline) / baseline).quantize(RATIO_PLACES, rounding=ROUND_HALF_EVEN)
        bound = threshold.limit / 100
        drifted = change <= -bound if threshold.rule is Rule.DROP_PERCENT else change >= bound
        baseline = baseline.quantize(RATIO_PLACES, rounding=ROUND_HALF_EVEN)
    elif threshold.rule is Rule.BELOW:
        drifted = value < threshold.limit
    else:
        drifted = value > threshold.limit
    if not drifted:
        return None
    return Drift(
        threshold_id=threshold.id,
        indicator=threshold.indicator,
        scope=threshold.scope,
        subject=subject,
        period=period,
        value=value,
        baseline=baseline,
        change=change,
        limit=threshold.limit,
        rule=threshold.rule,
        severity=threshold.severity,
        thresholds_version=thresholds_version,
    )
