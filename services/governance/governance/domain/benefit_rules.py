"""Commitment rules as versioned data (``rules/*.yaml``): the minimum activity per window that earns
benefits while it is sustained, and how raw activity is measured (engagement points per kind).

Raw activity is stored as facts under raw metrics (``engagement:<kind>``, ``pipeline:<CCY>``,
``won:<CCY>``, ``rituals_held``, ``mdf_claims``); :func:`measure` turns their totals into the metrics
rules name (``engagement_points`` and ``certifications`` are derived from the engagement kinds).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from incentive_contracts.money import Money

from .errors import RuleViolation, Violation

METRIC = re.compile(r"^[a-z][a-z_]{0,39}(:[A-Z]{3})?$")
ENGAGEMENT_PREFIX = "engagement:"
CERTIFICATION_KIND = "certification"


@dataclass(frozen=True)
class Benefit:
    benefit: str
    kind: Literal["non_monetary", "monetary"]
    amount: Money | None = None


@dataclass(frozen=True)
class CommitmentRule:
    rule_id: str
    description: str
    minimum: dict[str, Decimal]
    benefits: tuple[Benefit, ...]


@dataclass(frozen=True)
class BenefitRules:
    program_id: str
    version: int
    effective_from: date
    window_days: int
    engagement_points: dict[str, int]
    rules: tuple[CommitmentRule, ...]

    def rule(self, rule_id: str) -> CommitmentRule | None:
        return next((r for r in self.rules if r.rule_id == rule_id), None)


@dataclass(frozen=True)
class RuleBook:
    """Every version of the commitment rules; an evaluation uses the version in force on its date."""

    versions: tuple[BenefitRules, ...]

    def __post_init__(self) -> None:
        if not self.versions:
            raise RuleViolation.single("rules_versions", "at least one version of the commitment rules is needed")
        ordered = sorted(self.versions, key=lambda r: r.version)
        if [r.version for r in ordered] != sorted({r.version for r in ordered}):
            raise RuleViolation.single("rules_versions", "each version of the commitment rules appears once")
        object.__setattr__(self, "versions", tuple(ordered))

    def in_force(self, on: date) -> BenefitRules:
        """The latest version effective on ``on`` (the first version for days before any)."""
        current = [r for r in self.versions if r.effective_from <= on]
        return max(current, key=lambda r: (r.effective_from, r.version)) if current else self.versions[0]

    @property
    def latest(self) -> BenefitRules:
        return self.versions[-1]


def measure(rules: BenefitRules, raw: dict[str, Decimal]) -> dict[str, Decimal]:
    """The rule metrics from raw fact totals: engagement kinds become points (and certifications)."""
    measured = {k: v for k, v in raw.items() if not k.startswith(ENGAGEMENT_PREFIX)}
    points = Decimal(0)
    for metric, count in raw.items():
        if metric.startswith(ENGAGEMENT_PREFIX):
            kind = metric.removeprefix(ENGAGEMENT_PREFIX)
            points += count * rules.engagement_points.get(kind, 0)
            if kind == CERTIFICATION_KIND:
                measured["certifications"] = measured.get("certifications", Decimal(0)) + count
    measured["engagement_points"] = points
    return measured


def parse_rules(data: Any) -> BenefitRules:
    """Rules from their YAML document; every problem is named (RuleViolation) so a bad file never loads."""
    if not isinstance(data, dict):
        raise RuleViolation.single("rules_document", "the rules document must be a mapping")
    problems: list[Violation] = []
    parsed = []
    for index, raw in enumerate(data.get("rules") or []):
        try:
            parsed.append(_rule(raw))
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            problems.append(Violation("rule_shape", f"rules[{index}]: {exc}"))
    ids = [r.rule_id for r in parsed]
    if len(set(ids)) != len(ids):
        problems.append(Violation("rule_ids_unique", "every rule needs its own rule_id"))
    try:
        rules = BenefitRules(
            program_id=str(data["program_id"]),
            version=int(data["version"]),
            effective_from=date.fromisoformat(str(data["effective_from"])),
            window_days=int(data["window_days"]),
            engagement_points={str(k): int(v) for k, v in (data.get("engagement_points") or {}).items()},
            rules=tuple(parsed),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleViolation([*problems, Violation("rules_document", f"missing or invalid {exc}")]) from exc
    if rules.window_days < 1 or rules.version < 1:
        problems.append(Violation("rules_document", "version and window_days must be at least 1"))
    if problems:
        raise RuleViolation(problems)
    return rules


def _rule(raw: dict[str, Any]) -> CommitmentRule:
    minimum = {str(k): Decimal(str(v)) for k, v in dict(raw["minimum"]).items()}
    bad = [m for m in minimum if not METRIC.match(m)]
    if bad or not minimum or any(v < 0 for v in minimum.values()):
        raise ValueError(f"minimum needs metrics like engagement_points or pipeline:EUR with amounts >= 0 ({bad})")
    benefits = []
    for b in raw["benefits"]:
        amount = b.get("amount")
        money = Money.model_validate(amount) if amount is not None else None
        if money is None:
            benefits.append(Benefit(str(b["benefit"]), "non_monetary"))
        else:
            benefits.append(Benefit(str(b["benefit"]), "monetary", money))
    if not benefits:
        raise ValueError("a rule grants at least one benefit")
    return CommitmentRule(str(raw["rule_id"]), str(raw.get("description", "")), minimum, tuple(benefits))
