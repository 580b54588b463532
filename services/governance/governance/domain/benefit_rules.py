"""The terms governance applies from each program version: the commitment rules (the minimum activity
per window that earns benefits while it is sustained, and how raw activity is measured: engagement
points per kind) and the spot-audit rate.

The ledger's program document is their one versioned source: each published version reaches
governance as ``program.version_published`` (see :func:`terms_of`), and the built-in version 0 is
read from the document the contracts ship (``incentive_contracts.builtin_program``).

Raw activity is stored as facts under raw metrics (``engagement:<kind>``, ``pipeline:<CCY>``,
``won:<CCY>``, ``rituals_held``, ``mdf_claims``); :func:`measure` turns their totals into the metrics
rules name (``engagement_points`` and ``certifications`` are derived from the engagement kinds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from incentive_contracts.events.program import ProgramVersionPublished
from incentive_contracts.money import Money

from .errors import RuleViolation

DEFAULT_WINDOW_DAYS = 90  # the window of a version without commitment rules (what a revocation names)
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
    """One program version's governance terms (``version`` is the program version; 0 is built-in)."""

    program_id: str
    version: int
    effective_from: date
    window_days: int
    engagement_points: dict[str, int]
    rules: tuple[CommitmentRule, ...]
    audit_rate: Decimal = Decimal("0.05")
    published_on: date = date(1970, 1, 1)  # a version applies to no day before it was published

    def rule(self, rule_id: str) -> CommitmentRule | None:
        return next((r for r in self.rules if r.rule_id == rule_id), None)


@dataclass(frozen=True)
class RuleBook:
    """Every known version of the program's terms; an evaluation uses the version in force on its date:
    among the versions effective and already published on that day, the latest ``effective_from``, then
    the highest version. A correction (effective before it was published) so applies from its
    publication day, never to days evaluated before it, and a replay picks the same versions."""

    versions: tuple[BenefitRules, ...]

    def __post_init__(self) -> None:
        if not self.versions:
            raise RuleViolation.single("rules_versions", "at least one version of the commitment rules is needed")
        ordered = sorted(self.versions, key=lambda r: r.version)
        if [r.version for r in ordered] != sorted({r.version for r in ordered}):
            raise RuleViolation.single("rules_versions", "each version of the commitment rules appears once")
        object.__setattr__(self, "versions", tuple(ordered))

    def in_force(self, on: date) -> BenefitRules:
        """The version in force on ``on`` (the first version for days before any)."""
        current = [r for r in self.versions if r.effective_from <= on and r.published_on <= on]
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


def terms_of(published: ProgramVersionPublished) -> BenefitRules:
    """A program version's terms as governance applies them, from the ledger's announcement (or the
    built-in version 0's): no commitment section means the version grants no commitment benefits."""
    section = published.commitment
    rules = tuple(
        CommitmentRule(
            rule.rule_id,
            rule.description,
            {metric: Decimal(value) for metric, value in rule.minimum.items()},
            tuple(
                Benefit(b.benefit, "non_monetary") if b.amount is None else Benefit(b.benefit, "monetary", b.amount)
                for b in rule.benefits
            ),
        )
        for rule in (section.rules if section is not None else [])
    )
    return BenefitRules(
        program_id=published.program_id,
        version=published.program_version,
        effective_from=published.effective_from,
        window_days=section.window_days if section is not None else DEFAULT_WINDOW_DAYS,
        engagement_points=dict(section.engagement_points) if section is not None else {},
        rules=rules,
        audit_rate=Decimal(published.spot_audit_rate),
        published_on=published.published_at.date(),
    )
