from dataclasses import replace
from datetime import date

import pytest
from incentive_contracts.events.deal import DealFlagCleared, DealInfluenceRecorded, FlagReason, InfluenceKind
from registration.domain.deal import Flag, Status, fold
from registration.domain.errors import AlreadyExists, InvalidTransition, RuleViolation
from registration.domain.influence import ClearFlag, RecordInfluence, decide_clear_flag, decide_record_influence

from .builders import DAY, approved_deal


def activity(activity_id="a1", **changes):
    values = {
        "deal_id": "d1",
        "activity_id": activity_id,
        "kind": InfluenceKind.JOINT_DEMO,
        "occurred_on": date(2026, 3, 1),
        "evidence_ref": "crm:activity/1",
        "today": DAY,
    }
    values.update(changes)
    return RecordInfluence(**values)


def test_influence_is_recorded_on_an_open_deal():
    [event] = decide_record_influence(approved_deal(), activity())
    assert isinstance(event, DealInfluenceRecorded)
    deal = fold([event], approved_deal())
    assert [(a.activity_id, a.kind) for a in deal.influence] == [("a1", InfluenceKind.JOINT_DEMO)]


def test_influence_cannot_be_dated_in_the_future_or_recorded_twice_or_on_a_closed_deal():
    with pytest.raises(RuleViolation, match="future"):
        decide_record_influence(approved_deal(), activity(occurred_on=date(2026, 3, 3)))
    deal = fold(decide_record_influence(approved_deal(), activity()), approved_deal())
    with pytest.raises(AlreadyExists):
        decide_record_influence(deal, activity())
    with pytest.raises(AlreadyExists, match="already recorded as a1"):
        decide_record_influence(deal, activity("a2"))
    with pytest.raises(InvalidTransition):
        decide_record_influence(replace(deal, status=Status.WON), activity("a3", evidence_ref="x"))


def test_a_manager_clears_an_open_flag_once():
    deal = replace(approved_deal(), flags=(Flag(FlagReason.SELF_DEALING, "own domain", DAY),))
    assert deal.flagged
    [event] = decide_clear_flag(
        deal, ClearFlag("d1", FlagReason.SELF_DEALING, "manager:jo", DAY, "customer is a subsidiary")
    )
    assert isinstance(event, DealFlagCleared)
    cleared = fold([event], deal)
    assert not cleared.flagged
    assert cleared.flags[0].cleared_by == "manager:jo"
    with pytest.raises(InvalidTransition):
        decide_clear_flag(cleared, ClearFlag("d1", FlagReason.SELF_DEALING, "manager:jo", DAY))
    with pytest.raises(InvalidTransition) as wrong:
        decide_clear_flag(deal, ClearFlag("d1", FlagReason.REGISTRATION_VELOCITY, "m", DAY))
    assert wrong.value.problem_extra == {"allowed": ["self_dealing"]}
