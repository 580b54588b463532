"""Reading a drift-threshold document (YAML) with exact numbers and clear errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from .drift import Rule, Scope, Threshold, ThresholdSet


class InvalidThresholds(ValueError):
    """The document is not a valid threshold set; ``errors`` lists every problem with its location."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("invalid drift thresholds: " + "; ".join(errors))
        self.errors = errors


class _ExactLoader(yaml.SafeLoader):
    """Safe YAML where 5.5 is Decimal('5.5'), not a float."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    return Decimal(str(loader.construct_scalar(node)))


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def parse_thresholds(text: str) -> ThresholdSet:
    try:
        data = yaml.load(text, Loader=_ExactLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise InvalidThresholds([f"not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise InvalidThresholds(["the document must be a mapping"])
    errors: list[str] = []
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        errors.append("version: a positive integer is required")
    effective = data.get("effective_from")
    if not isinstance(effective, date):
        errors.append("effective_from: a date YYYY-MM-DD is required")
    items = data.get("thresholds")
    if not isinstance(items, list) or not items:
        errors.append("thresholds: a non-empty list is required")
        items = []
    thresholds = [t for i, raw in enumerate(items) if (t := _threshold(raw, f"thresholds[{i}]", errors))]
    ids = [t.id for t in thresholds]
    errors += [f"thresholds: id {i!r} is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if errors:
        raise InvalidThresholds(errors)
    assert isinstance(version, int)
    assert isinstance(effective, date)
    return ThresholdSet(version=version, effective_from=effective, thresholds=tuple(thresholds))


def _threshold(raw: Any, where: str, errors: list[str]) -> Threshold | None:
    if not isinstance(raw, dict):
        errors.append(f"{where}: a mapping is required")
        return None
    unknown = set(raw) - {"id", "indicator", "scope", "rule", "limit", "baseline_periods", "severity"}
    errors += [f"{where}.{key}: unknown field" for key in sorted(unknown)]
    found = len(errors)
    for key in ("id", "indicator"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            errors.append(f"{where}.{key}: a non-empty string is required")
    if raw.get("scope") not in set(Scope):
        errors.append(f"{where}.scope: one of {', '.join(Scope)}")
    if raw.get("rule") not in set(Rule):
        errors.append(f"{where}.rule: one of {', '.join(Rule)}")
    try:
        limit = Decimal(str(raw.get("limit")))
        if not limit.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors.append(f"{where}.limit: a number is required")
        limit = Decimal(0)
    periods = raw.get("baseline_periods", 3)
    if not isinstance(periods, int) or isinstance(periods, bool) or not 1 <= periods <= 24:
        errors.append(f"{where}.baseline_periods: an integer from 1 to 24")
    if len(errors) > found or unknown:
        return None
    return Threshold(
        id=raw["id"],
        indicator=raw["indicator"],
        scope=Scope(raw["scope"]),
        rule=Rule(raw["rule"]),
        limit=limit,
        baseline_periods=periods,
        severity=str(raw.get("severity", "warning")),
    )
