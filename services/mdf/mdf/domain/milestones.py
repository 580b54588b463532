"""Milestone disbursements: shares of the approved amount paid at plan approval and proof approval.

Each firing milestone pays up to its cumulative target, ``round(base * cumulative% / 100)``, minus
what was already paid, so rounding never drifts and the last milestone lands exactly on the base.
The base is the approved request amount at plan approval and the approved claim amount at proof
approval; the total paid therefore never exceeds what was approved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from .amounts import HUNDRED, ZERO, round_amount
from .errors import Violation

Trigger = Literal["plan_approved", "proof_approved"]
TRIGGER_ORDER: dict[str, int] = {"plan_approved": 0, "proof_approved": 1}
MAX_MILESTONES = 10


@dataclass(frozen=True)
class MilestonePlan:
    name: str
    trigger: Trigger
    percent: Decimal


def milestone_violations(milestones: Sequence[MilestonePlan]) -> list[Violation]:
    found: list[Violation] = []
    if not milestones:
        return [Violation("milestones_invalid", "define at least one milestone")]
    if len(milestones) > MAX_MILESTONES:
        found.append(Violation("milestones_invalid", f"at most {MAX_MILESTONES} milestones"))
    names = [m.name for m in milestones]
    if len(set(names)) != len(names):
        found.append(Violation("milestones_invalid", "milestone names must be unique"))
    if any(m.trigger not in TRIGGER_ORDER for m in milestones):
        found.append(Violation("milestones_invalid", "milestone triggers are plan_approved or proof_approved"))
    if any(m.percent <= ZERO for m in milestones):
        found.append(Violation("milestones_invalid", "every milestone pays a positive percentage"))
    total = sum((m.percent for m in milestones), ZERO)
    if total != HUNDRED:
        found.append(Violation("milestones_invalid", f"milestone percentages must add up to 100, not {total}"))
    if not any(m.trigger == "proof_approved" for m in milestones):
        found.append(Violation("milestones_invalid", "at least one milestone must wait for proof of performance"))
    return found


def due_disbursements(
    milestones: Sequence[MilestonePlan], trigger: Trigger, *, base: Decimal, already_paid: Decimal, currency: str
) -> list[tuple[MilestonePlan, Decimal]]:
    """What each milestone of ``trigger`` pays now (zero-amount milestones are left out)."""
    order = TRIGGER_ORDER[trigger]
    cumulative = sum((m.percent for m in milestones if TRIGGER_ORDER[m.trigger] < order), ZERO)
    paid = already_paid
    due: list[tuple[MilestonePlan, Decimal]] = []
    for milestone in milestones:
        if milestone.trigger != trigger:
            continue
        cumulative += milestone.percent
        target = base if cumulative == HUNDRED else round_amount(base * cumulative / HUNDRED, currency)
        if target > paid:
            due.append((milestone, target - paid))
            paid = target
    return due


def share_due_before_proof(milestones: Sequence[MilestonePlan]) -> Decimal:
    return sum((m.percent for m in milestones if m.trigger == "plan_approved"), ZERO)
