"""What changes for a partner when a program version replaces another, in plain language.

Compares the rules a partner feels: rebate rates, the growth accelerator, the registration bonus,
SPIFFs, caps and stacking, tiers (thresholds and what keeps them), engagement points, the MDF
accrual, the clawback window, the commitment benefits (each rule's minimums and what it earns, the
window they are measured over) and the spot-audit rate. Each difference is one sentence a partner can read without the
YAML; the areas let a notice group them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from .program import DEFAULT_LINE, Program, Thresholds
from .program_commitment_diff import audits_differences, commitment_differences


@dataclass(frozen=True)
class Difference:
    area: str  # rates | incentives | caps | tiers | engagement | mdf | clawback | benefits | audits
    text: str


def percent(value: Decimal) -> str:
    """``Decimal("8.50")`` as ``8.5 %``."""
    text = format(value.normalize(), "f")
    return f"{text} %"


def amounts(values: Mapping[str, Decimal]) -> str:
    """``{USD: 250000}`` as ``250,000.00 USD``; several currencies joined with ``or``."""
    if not values:
        return "none"
    return " or ".join(f"{v:,.2f} {c}" for c, v in sorted(values.items()))


def _line(line: str) -> str:
    return "any other product line" if line == DEFAULT_LINE else f"product line {line}"


def _changed(before: object, after: object, what: str) -> Iterator[str]:
    if before != after:
        yield f"{what} changes from {before} to {after}."


def _rates(old: Program, new: Program) -> Iterator[Difference]:
    for tier in new.tiers.levels:
        before = old.rebate.percent.get(tier.id, {})
        after = new.rebate.percent.get(tier.id, {})
        for line in sorted(set(before) | set(after)):
            name = f"The {tier.name or tier.id} rebate for {_line(line)}"
            if line not in before:
                yield Difference("rates", f"{name} is new: {percent(after[line])}.")
            elif line not in after:
                yield Difference("rates", f"{name} ({percent(before[line])}) is withdrawn.")
            elif before[line] != after[line]:
                direction = "rises" if after[line] > before[line] else "falls"
                yield Difference("rates", f"{name} {direction} from {percent(before[line])} to {percent(after[line])}.")


def _optional(area: str, name: str, before: str | None, after: str | None) -> Iterator[Difference]:
    if before == after:
        return
    if before is None:
        yield Difference(area, f"{name} is introduced: {after}.")
    elif after is None:
        yield Difference(area, f"{name} ({before}) is withdrawn.")
    else:
        yield Difference(area, f"{name} changes from {before} to {after}.")


def _accelerator(p: Program) -> str | None:
    rule = p.growth_accelerator
    if rule is None:
        return None
    target = rule.quarterly_target.default
    return f"rates x{rule.multiplier.normalize()} above a quarterly target of {amounts(target)}"


def _incentives(old: Program, new: Program) -> Iterator[Difference]:
    yield from _optional("incentives", "The growth accelerator", _accelerator(old), _accelerator(new))
    bonus = [
        percent(p.registration_bonus.percent) + " of a registered deal" if p.registration_bonus else None
        for p in (old, new)
    ]
    yield from _optional("incentives", "The registration bonus", bonus[0], bonus[1])
    before = {s.id: s for s in old.spiffs}
    after = {s.id: s for s in new.spiffs}
    for spiff_id in sorted(set(before) | set(after)):
        texts = [
            f"{amounts(s.amount)} per won deal of {', '.join(s.product_lines)} from {s.from_} to {s.to}"
            if s is not None
            else None
            for s in (before.get(spiff_id), after.get(spiff_id))
        ]
        yield from _optional("incentives", f"SPIFF {spiff_id}", texts[0], texts[1])


def _caps(old: Program, new: Program) -> Iterator[Difference]:
    for name, before, after in (
        ("The cap per deal", old.caps.per_deal, new.caps.per_deal),
        ("The cap per partner and quarter", old.caps.per_partner_quarter, new.caps.per_partner_quarter),
    ):
        yield from _optional("caps", name, amounts(before) if before else None, amounts(after) if after else None)
    limits = [
        percent(p.stacking.max_combined_percent) + " of the deal" if p.stacking.max_combined_percent else None
        for p in (old, new)
    ]
    yield from _optional("caps", "The limit on all rewards of one deal combined", limits[0], limits[1])


def _thresholds(t: Thresholds) -> str:
    parts = []
    if t.won_revenue:
        parts.append(f"{amounts(t.won_revenue)} won")
    if t.points:
        parts.append(f"{t.points} engagement points")
    return " and ".join(parts) or "nothing"


def _tiers(old: Program, new: Program) -> Iterator[Difference]:
    before = {level.id: level for level in old.tiers.levels}
    for level in new.tiers.levels:
        name = level.name or level.id
        previous = before.pop(level.id, None)
        if previous is None:
            yield Difference("tiers", f"A new tier, {name}, is reached with {_thresholds(level.qualify)}.")
            continue
        for text in _changed(_thresholds(previous.qualify), _thresholds(level.qualify), f"What reaches {name}"):
            yield Difference("tiers", text)
        kept = (_thresholds(previous.keep_thresholds), _thresholds(level.keep_thresholds))
        for text in _changed(*kept, f"What keeps {name}"):
            yield Difference("tiers", text)
    for level in before.values():
        yield Difference("tiers", f"The {level.name or level.id} tier is withdrawn.")
    if old.tiers.trailing_months != new.tiers.trailing_months:
        yield Difference(
            "tiers",
            f"Tiers look back over {new.tiers.trailing_months} months instead of {old.tiers.trailing_months}.",
        )
    for text in _changed(old.tiers.review_on, new.tiers.review_on, "The yearly tier review date (MM-DD)"):
        yield Difference("tiers", text)


def _engagement(old: Program, new: Program) -> Iterator[Difference]:
    for kind in sorted(set(old.engagement_points) | set(new.engagement_points)):
        before, after = old.engagement_points.get(kind), new.engagement_points.get(kind)
        name = f"Points for {kind.replace('_', ' ')}"
        yield from _optional("engagement", name, _text(before), _text(after))


def _text(value: int | None) -> str | None:
    return None if value is None else str(value)


def _mdf_and_clawback(old: Program, new: Program) -> Iterator[Difference]:
    accruals = [percent(p.mdf_accrual.percent) + " of won revenue" if p.mdf_accrual else None for p in (old, new)]
    yield from _optional("mdf", "The MDF accrual", accruals[0], accruals[1])
    windows = [f"{p.clawback.window_days} days ({p.clawback.partial.replace('_', '-')})" for p in (old, new)]
    yield from _optional("clawback", "The clawback window", windows[0], windows[1])


def differences(in_force: Program | None, announced: Program) -> list[Difference]:
    """Every difference a partner would notice; against no version in force, the whole program is new."""
    if in_force is None:
        return [Difference("rates", "This is the first version of the program: every rule is new.")]
    found: list[Difference] = []
    for part in (_rates, _incentives, _caps, _tiers, _engagement, _mdf_and_clawback):
        found.extend(part(in_force, announced))
    found.extend(Difference(area, text) for area, text in commitment_differences(in_force, announced))
    found.extend(Difference(area, text) for area, text in audits_differences(in_force, announced))
    return found
