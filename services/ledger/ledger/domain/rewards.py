"""Rewards for a won deal: components, stacking, caps. Pure arithmetic, rounded once per component.

Order: each component's gross amount is computed and rounded; exclusive groups keep their larger
member; then the stacking limit, the per-deal cap and the partner's quarterly cap each allow an
amount that is shared out in component order (rebate, accelerator, registration bonus, SPIFFs).
What does not fit is recorded as capped, naming the limit, and never paid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from incentive_contracts.events.deal import DealWon

from .catalog import ProgramVersion
from .evolve import evolve
from .frozen import quick_init
from .money import fmt, percent_of, percent_step, quarter_of, round_money, zero
from .state import DealRecord, PartnerLedger


@quick_init
@dataclass(frozen=True)
class Component:
    key: str  # rebate | growth_accelerator | registration_bonus | spiff:<id>
    gross: Decimal
    steps: tuple[str, ...]
    inputs: Mapping[str, Any]  # read-only: a compiled plan shares one between deals
    paid: Decimal | None = None
    capped_by: tuple[str, ...] = ()

    @property
    def group(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def capped(self) -> Decimal:
        return self.gross - (self.paid if self.paid is not None else self.gross)


@dataclass
class Assessment:
    """Everything decided about one won deal, for posting and for the explanation."""

    tier: str
    components: list[Component] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # components left out by an exclusive group
    ineligible: str | None = None  # why no reward at all (influence)


def influence_ok(pv: ProgramVersion, deal: DealRecord, event: DealWon) -> tuple[bool, str]:
    rule = pv.program.influence
    if not rule.required:
        return True, "no proof of influence required"
    activities = [(a.kind, a.occurred_on) for a in event.influence] + list(deal.influence)
    counted = [(k, d) for k, d in activities if d <= event.closed_on and (not rule.kinds or k in rule.kinds)]
    if counted:
        kind, day = min(counted, key=lambda a: (a[1], a[0]))
        return True, f"proof of influence: {kind} on {day}, on or before the close on {event.closed_on}"
    kinds = f" of kind {', '.join(rule.kinds)}" if rule.kinds else ""
    return False, (
        f"no rebate: {pv.label} requires a proof-of-influence activity{kinds} dated on or before the close "
        f"({event.closed_on}); none was recorded"
    )


def assess(partner: PartnerLedger, deal: DealRecord, event: DealWon, pv: ProgramVersion, tier: str) -> Assessment:
    program = pv.program
    assessment = Assessment(tier=tier)
    ok, why = influence_ok(pv, deal, event)
    if not ok:
        assessment.ineligible = why
        return assessment
    amount, currency = event.amount.amount, event.amount.currency
    percent, line = program.rebate_percent(tier, event.product_line)
    rebate = round_money(percent_of(amount, percent), currency)
    assessment.components.append(
        Component(
            key="rebate",
            gross=rebate,
            steps=(
                f"{tier} tier, product line {event.product_line}: rebate {fmt(percent)} %"
                + ("" if line == event.product_line else " (the tier's default rate)"),
                percent_step(amount, currency, percent, rebate),
                why,
            ),
            inputs={"tier": tier, "product_line": event.product_line, "rate_percent": fmt(percent), "rate_line": line},
        )
    )
    accelerator = _accelerator(partner, event, pv, tier, percent)
    if accelerator is not None:
        assessment.components.append(accelerator)
    bonus = _registration_bonus(deal, event, pv)
    if bonus is not None:
        assessment.components.append(bonus)
    assessment.components += _spiffs(event, pv)
    exclusive(assessment, pv)
    _limits(assessment, partner, event, pv)
    return assessment


def _registration_bonus(deal: DealRecord, event: DealWon, pv: ProgramVersion) -> Component | None:
    """The bonus on a deal registered (and approved) before its close, where the program pays one."""
    rule = pv.program.registration_bonus
    if not rule or rule.percent <= 0:
        return None
    if not (event.registered or (deal.approved_on is not None and deal.approved_on <= event.closed_on)):
        return None
    amount, currency = event.amount.amount, event.amount.currency
    bonus = round_money(percent_of(amount, rule.percent), currency)
    return Component(
        key="registration_bonus",
        gross=bonus,
        steps=(
            "the deal was registered and approved before the close",
            percent_step(amount, currency, rule.percent, bonus),
        ),
        inputs={"rate_percent": fmt(rule.percent)},
    )


def _spiffs(event: DealWon, pv: ProgramVersion) -> list[Component]:
    """The fixed amount of every SPIFF whose product lines and window the deal falls in (in its currency)."""
    currency = event.amount.currency
    found = []
    for spiff in pv.program.spiffs:
        if event.product_line not in spiff.product_lines or not spiff.from_ <= event.closed_on <= spiff.to:
            continue
        if currency not in spiff.amount:
            continue
        value = round_money(spiff.amount[currency], currency)
        found.append(
            Component(
                key=f"spiff:{spiff.id}",
                gross=value,
                steps=(
                    f"SPIFF {spiff.id}: {fmt(value)} {currency} per won {', '.join(spiff.product_lines)} deal "
                    f"closed {spiff.from_} to {spiff.to}",
                ),
                inputs={"spiff": spiff.id, "window": [spiff.from_.isoformat(), spiff.to.isoformat()]},
            )
        )
    return found


def quarterly_target(pv: ProgramVersion, partner_id: str, tier: str, currency: str) -> Decimal | None:
    rule = pv.program.growth_accelerator
    if rule is None:
        return None
    for amounts in (rule.quarterly_target.by_partner.get(partner_id), rule.quarterly_target.by_tier.get(tier)):
        if amounts is not None:
            return amounts.get(currency)
    return rule.quarterly_target.default.get(currency)


def _accelerator(
    partner: PartnerLedger, event: DealWon, pv: ProgramVersion, tier: str, percent: Decimal
) -> Component | None:
    rule = pv.program.growth_accelerator
    amount, currency = event.amount.amount, event.amount.currency
    target = quarterly_target(pv, partner.partner_id, tier, currency)
    if rule is None or target is None:
        return None
    quarter = quarter_of(event.closed_on)
    before = partner.quarter(quarter, currency).won
    above = max(Decimal(0), before + amount - target) - max(Decimal(0), before - target)
    if above <= 0:
        return None
    extra = rule.multiplier - 1
    raw = percent_of(above, percent) * extra
    texts = (fmt(percent), fmt(rule.multiplier), fmt(extra))
    return accelerator_component(quarter, target, before, above, raw, round_money(raw, currency), currency, texts)


def accelerator_component(
    quarter: str,
    target: Decimal,
    before: Decimal,
    above: Decimal,
    raw: Decimal,
    value: Decimal,
    currency: str,
    texts: tuple[str, str, str],
) -> Component:
    """The growth accelerator's component and its explanation; ``texts``: the base rate (percent), the
    multiplier and the extra it adds, as written (a compiled plan has them ready)."""
    percent, multiplier, extra = texts
    return Component(
        key="growth_accelerator",
        gross=value,
        steps=(
            f"{quarter} target {fmt(target)} {currency}; won before this deal {fmt(before)} {currency}; "
            f"{fmt(above)} {currency} of this deal is above target",
            f"accelerated rate {percent} % x {multiplier}: the extra {percent} % x {extra} "
            f"on {fmt(above)} {currency} = {fmt(raw)} -> {fmt(value)} {currency} (half-even)",
        ),
        inputs={
            "quarter": quarter,
            "target": fmt(target),
            "won_before": fmt(before),
            "above_target": fmt(above),
            "multiplier": multiplier,
            "base_rate_percent": percent,
        },
    )


def exclusive(assessment: Assessment, pv: ProgramVersion) -> None:
    for group in pv.program.stacking.exclusive:
        members = [c for c in assessment.components if c.group in group and c.gross > 0]
        if len(members) < 2:
            continue
        order: list[str] = list(group)
        keep = max(members, key=lambda c: (c.gross, -order.index(c.group)))
        for c in members:
            if c is not keep:
                assessment.components.remove(c)
                assessment.dropped.append(
                    f"{c.key} ({fmt(c.gross)}) does not combine with {keep.key}: the larger applies"
                )


def _limits(assessment: Assessment, partner: PartnerLedger, event: DealWon, pv: ProgramVersion) -> None:
    program = pv.program
    amount, currency = event.amount.amount, event.amount.currency
    limits: list[tuple[str, Decimal]] = []
    if program.stacking.max_combined_percent is not None:
        pct = program.stacking.max_combined_percent
        limits.append((f"stacking limit {fmt(pct)} % of the deal", round_money(percent_of(amount, pct), currency)))
    if currency in program.caps.per_deal:
        limits.append(("per-deal cap", round_money(program.caps.per_deal[currency], currency)))
    if currency in program.caps.per_partner_quarter:
        quarter = quarter_of(event.closed_on)
        used = partner.quarter(quarter, currency).rewarded
        room = max(zero(currency), round_money(program.caps.per_partner_quarter[currency], currency) - used)
        limits.append(
            (f"{quarter} partner cap (room {fmt(room)} of {fmt(program.caps.per_partner_quarter[currency])})", room)
        )
    for name, allowance in limits:
        assessment.components = share_out(assessment.components, name, allowance, currency)


def share_out(components: list[Component], name: str, allowance: Decimal, currency: str) -> list[Component]:
    """One limit's allowance shared out in component order; what does not fit is capped by the limit."""
    remaining = allowance
    nothing = zero(currency)
    limited: list[Component] = []
    for c in components:
        current = c.paid if c.paid is not None else c.gross
        allowed = min(current, max(remaining, nothing))
        remaining -= allowed
        if allowed < current:
            c = evolve(c, paid=allowed, capped_by=(*c.capped_by, f"{name} {fmt(allowance)} {currency}"))
        limited.append(c)
    return limited
