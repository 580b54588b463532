"""Joint partner plans: given events, when a command, then events (and the cadence and criteria)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from governance.domain.errors import AlreadyExists, InvalidTransition, NotFound, RuleViolation
from governance.domain.plan import (
    CompleteActivity,
    DraftPlan,
    JointPlan,
    RevisePlan,
    SignPlan,
    decide_complete,
    decide_draft,
    decide_revise,
    decide_sign,
    evolve_plan,
    matching_activity,
    onboarding_plan_id,
)
from governance.domain.plan_progress import Cadence, cadence, criteria_progress, summarize
from governance_builders import activity, content, given
from incentive_contracts.events.governance import (
    GovernancePlanActivityCompleted,
    GovernancePlanDrafted,
    GovernancePlanRevised,
    GovernancePlanSigned,
)
from incentive_contracts.payload import EventPayload

QBR_Q1 = activity("qbr-q1", "qbr", date(2026, 3, 31))
QBR_Q2 = activity("qbr-q2", "qbr", date(2026, 6, 30))
PLAN_DAY = activity("asp", "annual_strategic_plan", date(2026, 1, 31))
CONTENT = content(
    QBR_Q1, QBR_Q2, PLAN_DAY, criteria=[("pipe", "pipeline:USD", "400000"), ("certs", "certifications", "3")]
)


def drafted() -> GovernancePlanDrafted:
    return GovernancePlanDrafted(
        partner_id="p-1",
        plan_id="plan-1",
        year=2026,
        plan_version=1,
        content=CONTENT,
        drafted_on=date(2026, 1, 10),
        drafted_by="sam",
    )


def signed(side: str, version: int = 1, fully: bool = False) -> GovernancePlanSigned:
    return GovernancePlanSigned.model_validate(
        {
            "partner_id": "p-1",
            "plan_id": "plan-1",
            "plan_version": version,
            "side": side,
            "signed_by": f"{side}-signer",
            "signed_on": date(2026, 1, 20),
            "fully_signed": fully,
        }
    )


def plan_after(*events: EventPayload) -> JointPlan:
    plan = given(evolve_plan, [drafted(), *events])
    assert plan is not None
    return plan


def test_a_plan_is_drafted_as_version_one_and_only_once() -> None:
    command = DraftPlan("plan-1", "p-1", 2026, CONTENT, date(2026, 1, 10), "sam")
    assert decide_draft(None, command) == [drafted()]
    with pytest.raises(AlreadyExists):
        decide_draft(plan_after(), command)


def test_a_plan_refuses_duplicate_ids_and_activities_outside_its_year() -> None:
    bad = content(QBR_Q1, QBR_Q1, activity("late", "campaign", date(2027, 1, 5)))
    with pytest.raises(RuleViolation) as refused:
        decide_draft(None, DraftPlan("plan-1", "p-1", 2026, bad, date(2026, 1, 10), "sam"))
    assert [v.rule for v in refused.value.violations] == ["activity_ids_unique", "activity_in_plan_year"]


def test_both_sides_signing_a_version_makes_it_signed() -> None:
    plan = plan_after()
    first = decide_sign(plan, SignPlan("plan-1", 1, "partner", date(2026, 1, 20), "partner-signer"))
    assert first == [signed("partner")]
    second = decide_sign(plan_after(*first), SignPlan("plan-1", 1, "vendor", date(2026, 1, 20), "vendor-signer"))
    assert second == [signed("vendor", fully=True)]
    assert plan_after(*first, *second).status == "signed"
    assert plan_after(*first, *second).signed_versions == (1,)
    assert decide_sign(plan_after(*first), SignPlan("plan-1", 1, "partner", date(2026, 1, 21), "x")) == []


def test_signing_a_version_that_is_not_current_is_refused() -> None:
    with pytest.raises(InvalidTransition):
        decide_sign(plan_after(), SignPlan("plan-1", 2, "partner", date(2026, 1, 20), "p"))


def test_a_draft_is_amended_in_place_but_a_signed_version_changes_into_a_new_one() -> None:
    changed = content(QBR_Q1, PLAN_DAY)
    amended = decide_revise(plan_after(), RevisePlan("plan-1", changed, date(2026, 1, 12), "sam"))
    assert [(e.plan_version, type(e)) for e in amended] == [(1, GovernancePlanRevised)]

    after_signing = plan_after(signed("partner"), signed("vendor", fully=True))
    revised = decide_revise(after_signing, RevisePlan("plan-1", changed, date(2026, 2, 1), "sam"))
    assert isinstance(revised[0], GovernancePlanRevised)
    assert revised[0].plan_version == 2
    plan = plan_after(signed("partner"), signed("vendor", fully=True), *revised)
    assert (plan.plan_version, plan.status, plan.signed_versions) == (2, "draft", (1,))
    assert decide_revise(plan, RevisePlan("plan-1", changed, date(2026, 2, 2), "sam")) == []


def test_completing_an_activity_records_whether_it_was_on_time_once() -> None:
    late = decide_complete(plan_after(), CompleteActivity("plan-1", "asp", date(2026, 2, 3), "manual:sam"))
    assert late == [
        GovernancePlanActivityCompleted(
            partner_id="p-1",
            plan_id="plan-1",
            activity_id="asp",
            kind="annual_strategic_plan",
            due_on=date(2026, 1, 31),
            completed_on=date(2026, 2, 3),
            on_time=False,
            source="manual:sam",
        )
    ]
    assert decide_complete(plan_after(*late), CompleteActivity("plan-1", "asp", date(2026, 2, 4), "x")) == []
    with pytest.raises(NotFound):
        decide_complete(plan_after(), CompleteActivity("plan-1", "nope", date(2026, 2, 3), "x"))


def test_an_observed_ritual_completes_the_open_activity_of_its_kind_due_first() -> None:
    assert matching_activity(plan_after(), "qbr") == QBR_Q1
    q1_done = decide_complete(plan_after(), CompleteActivity("plan-1", "qbr-q1", date(2026, 3, 20), "e"))
    assert matching_activity(plan_after(*q1_done), "qbr") == QBR_Q2
    assert matching_activity(plan_after(), "campaign") is None


def test_cadence_on_a_day_shows_each_ritual_held_on_time_late_missed_or_ahead() -> None:
    # On 2026-04-15: the strategic plan (due 01-31) was held on 02-03, late; the Q1 QBR (due 03-31)
    # was never held, missed; the Q2 QBR (due 06-30) is ahead.
    late = decide_complete(plan_after(), CompleteActivity("plan-1", "asp", date(2026, 2, 3), "manual"))
    rows = cadence(plan_after(*late), date(2026, 4, 15))
    assert [(r.activity.activity_id, r.state) for r in rows] == [
        ("asp", Cadence.HELD_LATE),
        ("qbr-q1", Cadence.MISSED),
        ("qbr-q2", Cadence.UPCOMING),
    ]
    summary = summarize(rows)
    assert (summary.held_on_time, summary.held_late, summary.missed, summary.upcoming) == (0, 1, 1, 1)


def test_criteria_progress_is_the_actual_share_of_each_target() -> None:
    # pipeline 250,000 of 400,000 = 62.5 %; certifications 3 of 3 = 100 %, met.
    progress = criteria_progress(plan_after(), {"pipeline:USD": Decimal("250000"), "certifications": Decimal(3)})
    assert [(p.criterion.criterion_id, p.actual, p.percent, p.met) for p in progress] == [
        ("pipe", Decimal("250000"), Decimal("62.5"), False),
        ("certs", Decimal(3), Decimal("100.0"), True),
    ]


def test_the_onboarding_plan_id_names_the_partner_unless_it_is_too_long() -> None:
    assert onboarding_plan_id("acme", 2026) == "plan-acme-2026"
    long_id = onboarding_plan_id("p" * 64, 2026)
    assert len(long_id) <= 64
    assert long_id.startswith("plan-")
    assert long_id.endswith("-2026")
    assert long_id == onboarding_plan_id("p" * 64, 2026)
