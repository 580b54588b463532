"""Given-events helpers for the governance domain tests: fold a history, then decide."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

from incentive_contracts.events.governance import PlanActivity, PlanContent, SuccessCriterion
from incentive_contracts.payload import EventPayload

S = TypeVar("S")


def given(evolve: Callable[[S | None, EventPayload], S], events: Sequence[EventPayload]) -> S | None:
    state: S | None = None
    for event in events:
        state = evolve(state, event)
    return state


def activity(activity_id: str, kind: str, due: date) -> PlanActivity:
    return PlanActivity.model_validate(
        {
            "activity_id": activity_id,
            "kind": kind,
            "title": f"{kind} {activity_id}",
            "partner_owner": "Katrin Meyer",
            "vendor_owner": "Sam Lee",
            "due_on": due,
        }
    )


def content(*activities: PlanActivity, criteria: Sequence[tuple[str, str, str]] = ()) -> PlanContent:
    return PlanContent(
        target_segments=["mid-market manufacturing"],
        value_propositions=["analytics in 90 days"],
        co_branded_materials=["solution brief"],
        activities=list(activities),
        criteria=[SuccessCriterion(criterion_id=c, metric=m, target=t) for c, m, t in criteria],
    )
