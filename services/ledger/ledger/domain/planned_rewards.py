"""The rewards of a won deal from the version's compiled plan (``rule_plan.py``): what ``rewards.assess``
decides, with what the program fixes looked up instead of read and formatted again.

``rewards.assess`` is the definition and stays the reference: this computes each deal-dependent part
with the same expressions, in the same order (rebate, accelerator, registration bonus, SPIFFs;
exclusive groups; stacking limit, per-deal cap, quarterly cap), and shares ``influence_ok``,
``exclusive`` and ``share_out`` with it. ``tests/unit/test_ledger_rule_plans.py`` holds the two equal
over generated programs and deals, down to the journal's bytes and hashes.
"""

from __future__ import annotations

from decimal import Decimal

from incentive_contracts.events.deal import DealWon

from .catalog import ProgramVersion
from .money import fmt, percent_of, quarter_of, rate_step, round_money
from .rewards import Assessment, Component, accelerator_component, exclusive, influence_ok, share_out
from .rule_plan import LinePlan, RulePlan, plan_for
from .state import DealRecord, PartnerLedger

BONUS_REASON = "the deal was registered and approved before the close"


def planned_assess(
    partner: PartnerLedger, deal: DealRecord, event: DealWon, pv: ProgramVersion, tier: str
) -> Assessment:
    """``rewards.assess(partner, deal, event, pv, tier)``, from the plan of ``pv``."""
    assessment = Assessment(tier=tier)
    ok, why = influence_ok(pv, deal, event)
    if not ok:
        assessment.ineligible = why
        return assessment
    plan = plan_for(pv)
    amount, currency = event.amount.amount, event.amount.currency
    line = plan.line(tier, event.product_line, currency)
    amount_text = fmt(amount)
    exact = percent_of(amount, line.rate)
    rebate = round_money(exact, currency)
    components = [
        Component(
            key="rebate",
            gross=rebate,
            steps=(line.rebate_step, rate_step(amount_text, currency, line.rate_text, exact, rebate), why),
            inputs=line.rebate_inputs,
        )
    ]
    accelerator = _accelerator(plan, line, partner, event)
    if accelerator is not None:
        components.append(accelerator)
    if plan.bonus_percent is not None and (
        event.registered or (deal.approved_on is not None and deal.approved_on <= event.closed_on)
    ):
        exact = percent_of(amount, plan.bonus_percent)
        bonus = round_money(exact, currency)
        step = rate_step(amount_text, currency, plan.bonus_text, exact, bonus)
        components.append(Component("registration_bonus", bonus, (BONUS_REASON, step), plan.bonus_inputs))
    closed = event.closed_on
    components += [s.component for s in line.spiffs if s.from_ <= closed <= s.to]
    assessment.components = components
    if plan.program.stacking.exclusive:
        exclusive(assessment, pv)
    _limits(assessment, plan, line, partner, event)
    return assessment


def _accelerator(plan: RulePlan, line: LinePlan, partner: PartnerLedger, event: DealWon) -> Component | None:
    rule = plan.program.growth_accelerator
    if rule is None:
        return None
    amount, currency = event.amount.amount, event.amount.currency
    own = rule.quarterly_target.by_partner.get(partner.partner_id)
    target = own.get(currency) if own is not None else line.tier_target
    if target is None:
        return None
    quarter = quarter_of(event.closed_on)
    before = partner.quarter(quarter, currency).won
    above = max(Decimal(0), before + amount - target) - max(Decimal(0), before - target)
    if above <= 0:
        return None
    raw = percent_of(above, line.rate) * plan.extra
    texts = (line.rate_text, plan.multiplier_text, plan.extra_text)
    return accelerator_component(quarter, target, before, above, raw, round_money(raw, currency), currency, texts)


def _limits(assessment: Assessment, plan: RulePlan, line: LinePlan, partner: PartnerLedger, event: DealWon) -> None:
    """``rewards._limits``: each limit in turn (their allowances do not depend on the components), shared
    out only where the components do not fit in it (where they fit, sharing out changes nothing)."""
    amount, currency = event.amount.amount, event.amount.currency
    components = assessment.components
    if plan.stacking is not None:
        percent, name = plan.stacking
        allowance = round_money(percent_of(amount, percent), currency)
        if not fits(components, allowance):
            components = share_out(components, name, allowance, currency)
    if line.per_deal_cap is not None and not fits(components, line.per_deal_cap):
        components = share_out(components, "per-deal cap", line.per_deal_cap, currency)
    if line.quarter_cap is not None:
        cap, written = line.quarter_cap
        quarter = quarter_of(event.closed_on)
        room = max(line.zero, cap - partner.quarter(quarter, currency).rewarded)
        if not fits(components, room):
            components = share_out(components, f"{quarter} partner cap (room {fmt(room)} of {written})", room, currency)
    assessment.components = components


def fits(components: list[Component], allowance: Decimal) -> bool:
    """Whether ``share_out`` would leave every component as it is: none is negative and together they
    are within the allowance (then each is allowed all of what it has, as what remains covers the rest)."""
    total = Decimal(0)
    for c in components:
        current = c.paid if c.paid is not None else c.gross
        if current < 0:
            return False
        total += current
    return total <= allowance
