"""A failed spot audit of a deal (governance.audit_item_failed): the deal is flagged ``audit`` and the
flag confirmed in one decision (given a deal, when the audit fails, then flagged + flag_confirmed)."""

from dataclasses import replace
from datetime import date

import pytest
from incentive_contracts.events.deal import DealFlagConfirmed, DealFlagged, FlagReason
from registration.domain.deal import Flag, Status, fold
from registration.domain.errors import RuleViolation
from registration.domain.flag_review import FailAudit, decide_audit_failure

from .builders import DAY, approved_deal

FAILED_ON = date(2026, 4, 20)


def failure(partner_id: str = "acme") -> FailAudit:
    return FailAudit("d1", partner_id, "2026-Q2", "auditor:kim", FAILED_ON, "no proof the customer bought")


def test_a_failed_audit_of_an_unflagged_deal_flags_it_for_the_audit_and_confirms_that_flag():
    deal = replace(approved_deal(), status=Status.WON)
    flagged, confirmed = decide_audit_failure(deal, failure())
    assert isinstance(flagged, DealFlagged)
    assert isinstance(confirmed, DealFlagConfirmed)
    assert (flagged.reason, flagged.flagged_on) == (FlagReason.AUDIT, FAILED_ON)
    assert (confirmed.reason, confirmed.confirmed_by, confirmed.confirmed_on) == (
        FlagReason.AUDIT,
        "auditor:kim",
        FAILED_ON,
    )
    assert confirmed.note == "spot audit 2026-Q2 failed by auditor:kim: no proof the customer bought"
    after = fold([flagged, confirmed], deal)
    assert after is not None
    assert after.status == Status.REJECTED
    assert [(f.reason, f.confirmed_by) for f in after.flags] == [(FlagReason.AUDIT, "auditor:kim")]


def test_an_open_audit_flag_is_confirmed_and_other_open_flags_stay_open():
    flags = (Flag(FlagReason.AUDIT, "sampled", DAY), Flag(FlagReason.SELF_DEALING, "own domain", DAY))
    deal = replace(approved_deal(), status=Status.WON, flags=flags)
    [confirmed] = decide_audit_failure(deal, failure())
    assert isinstance(confirmed, DealFlagConfirmed)
    after = fold([confirmed], deal)
    assert after is not None
    assert [f.reason for f in after.open_flags] == [FlagReason.SELF_DEALING]


def test_a_rejected_deal_changes_no_further_and_another_partners_deal_is_refused():
    deal = replace(approved_deal(), status=Status.WON)
    after = fold(decide_audit_failure(deal, failure()), deal)
    assert after is not None
    assert decide_audit_failure(after, failure()) == []
    with pytest.raises(RuleViolation):
        decide_audit_failure(deal, failure("other"))
