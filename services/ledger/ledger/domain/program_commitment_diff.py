"""What changes in a program's commitment benefits and spot audits, in plain language (the
``benefits`` and ``audits`` areas of :mod:`.program_diff`)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from .program import Program
from .program_commitment import Commitment, CommitmentBenefit, CommitmentRule

Line = tuple[str, str]  # (area, sentence)


def metric_name(metric: str) -> str:
    """``pipeline:USD`` as ``registered pipeline (USD)``, ``engagement_points`` as ``engagement points``."""
    base, _, currency = metric.partition(":")
    names = {
        "pipeline": "registered pipeline",
        "won": "won revenue",
        "mdf_spend": "approved MDF spend",
        "rituals_held": "joint plan activities held",
        "mdf_claims": "approved MDF claims",
        "wins": "won deals",
    }
    name = names.get(base, base.replace("_", " "))
    return f"{name} ({currency})" if currency else name


def quantity(value: Decimal, metric: str) -> str:
    text = format(value.normalize(), "f") if value != value.to_integral() else f"{value:,.0f}"
    return f"{text} {metric_name(metric)}"


def benefit_text(benefit: CommitmentBenefit) -> str:
    name = benefit.benefit.replace("_", " ")
    if benefit.amount is None:
        return name
    return f"{name} ({benefit.amount.amount:,.2f} {benefit.amount.currency})"


def _rule_name(rule: CommitmentRule) -> str:
    return f"the {rule.rule_id.replace('-', ' ').replace('_', ' ')} rule"


def minimum_text(rule: CommitmentRule) -> str:
    return " and ".join(quantity(v, m) for m, v in sorted(rule.minimum.items()))


def _rule_changes(before: CommitmentRule, after: CommitmentRule, window_days: int) -> Iterator[Line]:
    name = _rule_name(after).capitalize()
    for metric in sorted(set(before.minimum) | set(after.minimum)):
        old, new = before.minimum.get(metric), after.minimum.get(metric)
        if old == new:
            continue
        if old is None:
            yield "benefits", f"{name} now also needs {quantity(new or Decimal(0), metric)} in {window_days} days."
        elif new is None:
            yield "benefits", f"{name} no longer needs {quantity(old, metric)}."
        else:
            direction = "is raised" if new > old else "is lowered"
            yield (
                "benefits",
                (
                    f"The minimum of {metric_name(metric)} for {_rule_name(after)} {direction} from "
                    f"{quantity(old, metric)} to {quantity(new, metric)}."
                ),
            )
    old_benefits = {b.benefit: b for b in before.benefits}
    new_benefits = {b.benefit: b for b in after.benefits}
    for benefit_id in sorted(set(old_benefits) | set(new_benefits)):
        old_b, new_b = old_benefits.get(benefit_id), new_benefits.get(benefit_id)
        if old_b == new_b:
            continue
        if old_b is None:
            assert new_b is not None
            yield "benefits", f"{name} now also earns {benefit_text(new_b)}."
        elif new_b is None:
            yield "benefits", f"{name} no longer earns {benefit_text(old_b)}."
        else:
            yield "benefits", f"{name} earns {benefit_text(new_b)} instead of {benefit_text(old_b)}."


def _sections(old: Commitment | None, new: Commitment | None) -> Iterator[Line]:
    if old is None and new is None:
        return
    if old is None:
        assert new is not None
        yield "benefits", f"Commitment benefits are introduced, measured over the last {new.window_days} days."
        old = Commitment(window_days=new.window_days)
    if new is None:
        yield "benefits", "Commitment benefits are withdrawn: benefits held end when the version takes effect."
        return
    if old.window_days != new.window_days:
        yield (
            "benefits",
            (f"Commitment minimums are measured over the last {new.window_days} days instead of {old.window_days}."),
        )
    before = {r.rule_id: r for r in old.rules}
    for rule in new.rules:
        previous = before.pop(rule.rule_id, None)
        if previous is None:
            earns = ", ".join(benefit_text(b) for b in rule.benefits)
            yield "benefits", f"A new commitment rule: {minimum_text(rule)} earns {earns}."
        else:
            yield from _rule_changes(previous, rule, new.window_days)
    for rule in before.values():
        yield "benefits", f"{_rule_name(rule).capitalize()} is withdrawn, with what it earned."


def commitment_differences(old: Program, new: Program) -> Iterator[Line]:
    yield from _sections(old.commitment, new.commitment)


def rate_text(rate: Decimal) -> str:
    """``Decimal("0.05")`` as ``5 %``."""
    return f"{format((rate * 100).normalize(), 'f')} %"


def audits_differences(old: Program, new: Program) -> Iterator[Line]:
    before, after = old.spot_audits.rate, new.spot_audits.rate
    if before != after:
        direction = "rises" if after > before else "falls"
        yield (
            "audits",
            (
                f"The spot-audit rate {direction} from {rate_text(before)} to {rate_text(after)} "
                "of each quarter's won deals and MDF claims."
            ),
        )
