"""Commitment benefits of one partner: granted when its activity in the trailing window reaches a rule's
minimum, revoked when it falls below, each change an event that explains itself (rule, inputs, minimum).

decide_evaluate(standing, rules, raw totals, as_of) -> events; evolve_standing(standing, event) -> standing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from incentive_contracts.events.governance import GovernanceBenefitGranted, GovernanceBenefitRevoked
from incentive_contracts.payload import EventPayload

from .benefit_rules import BenefitRules, CommitmentRule, measure
from .errors import RuleViolation


@dataclass(frozen=True)
class HeldBenefit:
    rule_id: str
    benefit: str
    since: date
    rules_version: int


@dataclass(frozen=True)
class BenefitStanding:
    partner_id: str
    held: dict[tuple[str, str], HeldBenefit] = field(default_factory=dict)  # (rule_id, benefit) -> held
    last_change: date | None = None  # the effective date of the latest grant or revocation


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    @classmethod
    def ending(cls, as_of: date, days: int) -> Window:
        """The ``days`` days up to and including ``as_of``."""
        return cls(as_of - timedelta(days=days - 1), as_of)


def _quantity(value: Decimal) -> str:
    return format(value.normalize() if value == value.to_integral() else value, "f")


def decide_evaluate(
    standing: BenefitStanding, rules: BenefitRules, raw: dict[str, Decimal], as_of: date
) -> list[EventPayload]:
    """``raw``: the partner's raw fact totals in the rules' window ending ``as_of``. A benefit held under
    a rule the current rules no longer have is revoked (nothing to sustain it)."""
    if standing.last_change is not None and as_of < standing.last_change:
        raise RuleViolation.single(
            "as_of", f"benefits changed on {standing.last_change}: an evaluation cannot go back before it"
        )
    window = Window.ending(as_of, rules.window_days)
    measured = measure(rules, raw)
    events: list[EventPayload] = []
    for rule in rules.rules:
        unmet = sorted(m for m, least in rule.minimum.items() if measured.get(m, Decimal(0)) < least)
        inputs = {m: _quantity(measured.get(m, Decimal(0))) for m in rule.minimum}
        for benefit in rule.benefits:
            held = (rule.rule_id, benefit.benefit) in standing.held
            if not unmet and not held:
                events.append(_granted(standing.partner_id, rules, rule, benefit.benefit, inputs, window))
            elif unmet and held:
                events.append(_revoked(standing.partner_id, rules, rule, benefit.benefit, inputs, window, unmet))
    for rule_id, name in sorted(standing.held):
        if rules.rule(rule_id) is None:
            gone = CommitmentRule(rule_id, "", {}, ())
            events.append(_revoked(standing.partner_id, rules, gone, name, {}, window, []))
    return events


def _granted(
    partner_id: str, rules: BenefitRules, rule: CommitmentRule, benefit: str, inputs: dict[str, str], window: Window
) -> GovernanceBenefitGranted:
    earned = next(b for b in rule.benefits if b.benefit == benefit)
    return GovernanceBenefitGranted(
        partner_id=partner_id,
        benefit=benefit,
        kind=earned.kind,
        amount=earned.amount,
        effective_on=window.end,
        rule_id=rule.rule_id,
        rules_version=rules.version,
        window_from=window.start,
        window_to=window.end,
        inputs=inputs,
        minimum={m: _quantity(v) for m, v in rule.minimum.items()},
    )


def _revoked(
    partner_id: str,
    rules: BenefitRules,
    rule: CommitmentRule,
    benefit: str,
    inputs: dict[str, str],
    window: Window,
    unmet: list[str],
) -> GovernanceBenefitRevoked:
    return GovernanceBenefitRevoked(
        partner_id=partner_id,
        benefit=benefit,
        effective_on=window.end,
        rule_id=rule.rule_id,
        rules_version=rules.version,
        window_from=window.start,
        window_to=window.end,
        inputs=inputs,
        minimum={m: _quantity(v) for m, v in rule.minimum.items()},
        unmet=unmet,
    )


def evolve_standing(standing: BenefitStanding | None, event: EventPayload) -> BenefitStanding:
    standing = standing or BenefitStanding(event.partner_id)
    if isinstance(event, GovernanceBenefitGranted):
        held = HeldBenefit(event.rule_id, event.benefit, event.effective_on, event.rules_version)
        held_now = {**standing.held, (event.rule_id, event.benefit): held}
        return replace(standing, held=held_now, last_change=event.effective_on)
    if isinstance(event, GovernanceBenefitRevoked):
        held_now = {k: v for k, v in standing.held.items() if k != (event.rule_id, event.benefit)}
        return replace(standing, held=held_now, last_change=event.effective_on)
    raise TypeError(f"not a benefit event: {event.event_type}")
