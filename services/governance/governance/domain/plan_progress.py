"""How a joint plan is going: its success criteria against the partner's measured activity, and its
cadence (each ritual held on time, held late, missed, or still ahead)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from incentive_contracts.events.governance import PlanActivity, SuccessCriterion

from .plan import JointPlan

PERCENT = Decimal("0.1")


class Cadence(StrEnum):
    HELD_ON_TIME = "held_on_time"
    HELD_LATE = "held_late"
    MISSED = "missed"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class CriterionProgress:
    criterion: SuccessCriterion
    actual: Decimal
    percent: Decimal  # of the target, one decimal, capped at nothing (over-achievement shows)
    met: bool


@dataclass(frozen=True)
class ActivityCadence:
    activity: PlanActivity
    state: Cadence
    completed_on: date | None


@dataclass(frozen=True)
class CadenceSummary:
    held_on_time: int
    held_late: int
    missed: int
    upcoming: int


def criteria_progress(plan: JointPlan, actuals: dict[str, Decimal]) -> list[CriterionProgress]:
    """``actuals``: the partner's measured activity in the plan's year, per metric."""
    found = []
    for criterion in plan.content.criteria:
        target = Decimal(criterion.target)
        actual = actuals.get(criterion.metric, Decimal(0))
        percent = (actual * 100 / target).quantize(PERCENT, ROUND_HALF_EVEN) if target else Decimal(100)
        found.append(CriterionProgress(criterion, actual, percent, actual >= target))
    return found


def cadence(plan: JointPlan, today: date) -> list[ActivityCadence]:
    """Activities in due order; one not held is missed once its due date has passed."""
    found = []
    for activity in sorted(plan.content.activities, key=lambda a: (a.due_on, a.activity_id)):
        done = plan.completions.get(activity.activity_id)
        if done is not None:
            state = Cadence.HELD_ON_TIME if done.on_time else Cadence.HELD_LATE
        else:
            state = Cadence.MISSED if activity.due_on < today else Cadence.UPCOMING
        found.append(ActivityCadence(activity, state, done.completed_on if done else None))
    return found


def summarize(rows: list[ActivityCadence]) -> CadenceSummary:
    def count(state: Cadence) -> int:
        return sum(1 for r in rows if r.state is state)

    return CadenceSummary(
        count(Cadence.HELD_ON_TIME), count(Cadence.HELD_LATE), count(Cadence.MISSED), count(Cadence.UPCOMING)
    )
