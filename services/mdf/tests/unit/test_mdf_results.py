from datetime import date

import pytest
from incentive_contracts.events.mdf import CampaignResults
from mdf.domain.claim import ApproveClaim, decide_approve_claim
from mdf.domain.errors import InvalidTransition, RuleViolation
from mdf.domain.results import ReportResults, decide_report_results
from mdf_builders import approved, claimed, eur, fold, submitted

LATER = CampaignResults(opportunities_influenced=7)


def report(request, results=LATER):
    return decide_report_results(request, ReportResults("res-1", request.request_id, results, date(2026, 8, 1)))


def test_results_of_an_approved_request_carry_the_approved_spend():
    [event] = report(approved("4000.00"))
    assert (event.result_id, event.spend, event.results.opportunities_influenced) == ("res-1", eur("4000.00"), 7)
    assert event.claim_id is None
    assert event.activity_type == "webinar"


def test_results_after_the_claim_carry_the_approved_claim_as_spend():
    claim, request = claimed(approved())
    done = fold(
        request, decide_approve_claim(claim, request, ApproveClaim("c1", eur("4500.00"), date(2026, 5, 25), "m"))
    )
    [event] = report(done)
    assert event.spend == eur("4500.00")


def test_results_need_a_live_request_and_at_least_one_figure():
    with pytest.raises(InvalidTransition):
        report(submitted())
    with pytest.raises(RuleViolation) as raised:
        report(approved(), CampaignResults())
    assert raised.value.rules == ["results_empty"]
