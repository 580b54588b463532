"""A program version compiled for won deals: what its rules fix for a (tier, product line, currency).

``rewards.assess`` reads the program document for every won deal: the rate table, the SPIFF list,
the caps, and formats the same rates, limits and step texts again each time. A ``LinePlan`` holds
all of that resolved once: the rebate rate and which line of the table gave it, the rebate's first
step and inputs, the registration bonus, the SPIFFs of the product line with their amounts rounded
and explained in the currency, the stacking limit's name, the caps rounded in the currency and their
names. What depends on the deal (its amount, date, the partner's quarter so far) is left to
``planned_rewards.py``, which computes it with the same expressions as ``rewards.py`` (the reference).

A ``RulePlan`` is built once per program version (``plan_for``) and builds its line plans on first
use. Every value in it is immutable; the explanation inputs it shares between deals are read-only
mappings (an explanation's document copies them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .accounts import MDF_ACCRUAL_EXPENSE, expense_purpose, program_account
from .catalog import ProgramVersion
from .money import fmt, round_money, zero
from .program import Program
from .rewards import Component

PLANS_KEPT = 64  # versions whose plans a process keeps (a replay uses a handful; tests build many)


def frozen(inputs: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(inputs)


@dataclass(frozen=True)
class PlannedSpiff:
    """A SPIFF of the line in the currency: its window, and the component a deal closed in it earns."""

    from_: date
    to: date
    component: Component


@dataclass(frozen=True)
class LinePlan:
    """The rules of one (tier, product line, currency), resolved."""

    currency: str
    zero: Decimal
    rate: Decimal  # the rebate percent
    rate_text: str  # fmt(rate)
    rebate_step: str  # "<tier> tier, product line <line>: rebate <rate> %[ (the tier's default rate)]"
    rebate_inputs: Mapping[str, Any]
    tier_target: Decimal | None  # the accelerator's quarterly target by tier or default (not by partner)
    spiffs: tuple[PlannedSpiff, ...]
    per_deal_cap: Decimal | None  # rounded in the currency
    quarter_cap: tuple[Decimal, str] | None  # (the cap rounded, fmt of the cap as written)


@dataclass(frozen=True)
class MdfPlan:
    """The version's MDF accrual (a percent above zero): its rate as the entry and the announcement write it."""

    percent: Decimal
    percent_text: str  # fmt(percent)
    rate_text: str  # fmt(percent / 100), the fraction ledger.mdf_accrued carries
    debit: str  # the program's accrual expense account
    rule_id: str


@dataclass
class RulePlan:
    """A program version compiled; ``line`` gives (and keeps) the plan of a tier, product line and currency."""

    program: Program
    program_id: str
    version: int
    bonus_percent: Decimal | None  # the registration bonus percent where the program pays one (> 0)
    bonus_text: str
    bonus_inputs: Mapping[str, Any]
    stacking: tuple[Decimal, str] | None  # (max combined percent, the limit's name)
    multiplier_text: str  # the accelerator's multiplier and extra, formatted
    extra: Decimal
    extra_text: str
    mdf: MdfPlan | None
    _lines: dict[tuple[str, str, str], LinePlan] = field(default_factory=dict)
    _components: dict[str, tuple[str, str]] = field(default_factory=dict)

    def component(self, key: str) -> tuple[str, str]:
        """The program account a component's reward is charged to, and the entry's rule id."""
        found = self._components.get(key)
        if found is None:
            found = (program_account(self.program_id, expense_purpose(key)), f"{self.program_id}/{key}")
            self._components[key] = found
        return found

    def line(self, tier: str, product_line: str, currency: str) -> LinePlan:
        key = (tier, product_line, currency)
        plan = self._lines.get(key)
        if plan is None:
            plan = _line(self.program, tier, product_line, currency)
            self._lines[key] = plan
        return plan


def compile_plan(pv: ProgramVersion) -> RulePlan:
    program = pv.program
    bonus = program.registration_bonus
    bonus_percent = bonus.percent if bonus is not None and bonus.percent > 0 else None
    pct = program.stacking.max_combined_percent
    accelerator = program.growth_accelerator
    extra = accelerator.multiplier - 1 if accelerator is not None else Decimal(0)
    return RulePlan(
        program=program,
        program_id=pv.program_id,
        version=pv.version,
        bonus_percent=bonus_percent,
        bonus_text=fmt(bonus_percent) if bonus_percent is not None else "",
        bonus_inputs=frozen({"rate_percent": fmt(bonus_percent)}) if bonus_percent is not None else frozen({}),
        stacking=(pct, f"stacking limit {fmt(pct)} % of the deal") if pct is not None else None,
        multiplier_text=fmt(accelerator.multiplier) if accelerator is not None else "",
        extra=extra,
        extra_text=fmt(extra),
        mdf=_mdf(pv),
    )


def _mdf(pv: ProgramVersion) -> MdfPlan | None:
    rule = pv.program.mdf_accrual
    if rule is None or rule.percent <= 0:
        return None
    return MdfPlan(
        percent=rule.percent,
        percent_text=fmt(rule.percent),
        rate_text=fmt(rule.percent / 100),
        debit=program_account(pv.program_id, MDF_ACCRUAL_EXPENSE),
        rule_id=f"{pv.program_id}/mdf_accrual",
    )


def _line(program: Program, tier: str, product_line: str, currency: str) -> LinePlan:
    rate, rate_line = program.rebate_percent(tier, product_line)
    default = "" if rate_line == product_line else " (the tier's default rate)"
    caps = program.caps
    per_deal = None
    if currency in caps.per_deal:
        per_deal = round_money(caps.per_deal[currency], currency)
    quarter_cap = None
    if currency in caps.per_partner_quarter:
        written = caps.per_partner_quarter[currency]
        quarter_cap = (round_money(written, currency), fmt(written))
    return LinePlan(
        currency=currency,
        zero=zero(currency),
        rate=rate,
        rate_text=fmt(rate),
        rebate_step=f"{tier} tier, product line {product_line}: rebate {fmt(rate)} %{default}",
        rebate_inputs=frozen(
            {"tier": tier, "product_line": product_line, "rate_percent": fmt(rate), "rate_line": rate_line}
        ),
        tier_target=_tier_target(program, tier, currency),
        spiffs=_spiffs(program, product_line, currency),
        per_deal_cap=per_deal,
        quarter_cap=quarter_cap,
    )


def _tier_target(program: Program, tier: str, currency: str) -> Decimal | None:
    """``rewards.quarterly_target`` for a partner without a target of its own."""
    rule = program.growth_accelerator
    if rule is None:
        return None
    amounts = rule.quarterly_target.by_tier.get(tier)
    if amounts is not None:
        return amounts.get(currency)
    return rule.quarterly_target.default.get(currency)


def _spiffs(program: Program, product_line: str, currency: str) -> tuple[PlannedSpiff, ...]:
    """The SPIFFs of the product line that name an amount in the currency, in the program's order."""
    planned = []
    for spiff in program.spiffs:
        if product_line not in spiff.product_lines or currency not in spiff.amount:
            continue
        value = round_money(spiff.amount[currency], currency)
        component = Component(
            key=f"spiff:{spiff.id}",
            gross=value,
            steps=(
                f"SPIFF {spiff.id}: {fmt(value)} {currency} per won {', '.join(spiff.product_lines)} deal "
                f"closed {spiff.from_} to {spiff.to}",
            ),
            inputs=frozen({"spiff": spiff.id, "window": [spiff.from_.isoformat(), spiff.to.isoformat()]}),
        )
        planned.append(PlannedSpiff(spiff.from_, spiff.to, component))
    return tuple(planned)


_plans: dict[tuple[int, str, int], RulePlan] = {}


def plan_for(pv: ProgramVersion) -> RulePlan:
    """The compiled plan of a version, built once. Keyed by the identity of its (immutable, per process
    parsed once) rules and the version's id and number: catalogs built per batch hold new
    ``ProgramVersion`` values around the same ``Program``."""
    key = (id(pv.program), pv.program_id, pv.version)
    plan = _plans.get(key)
    if plan is not None and plan.program is pv.program:
        return plan
    plan = compile_plan(pv)
    if len(_plans) >= PLANS_KEPT:
        del _plans[next(iter(_plans))]
    _plans[key] = plan
    return plan
