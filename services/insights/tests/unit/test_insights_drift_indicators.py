"""Which indicators a drift threshold may name, and which ledger postings the money read models keep."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from insights.application.drift_source import INDICATORS, check_indicators
from insights.application.money_projection import kept_posting
from insights.domain.drift import Rule, Scope, Threshold, ThresholdSet
from insights.domain.threshold_document import InvalidThresholds


def test_thresholds_may_name_deal_marketing_and_engagement_indicators_only():
    assert {"win_rate", "pipeline_total", "deals.won_revenue", "marketing.spend", "engagement.points"} <= INDICATORS
    assert "pipeline_by_stage" not in INDICATORS  # a mapping, not one number
    ok = Threshold("a", "marketing.leads", Scope.COHORT, Rule.BELOW, Decimal(1))
    bad = Threshold("b", "happiness", Scope.PARTNER, Rule.ABOVE, Decimal(1))
    check_indicators([ThresholdSet(1, date(2026, 1, 1), (ok,))])
    with pytest.raises(InvalidThresholds) as caught:
        check_indicators([ThresholdSet(4, date(2026, 1, 1), (ok, bad))])
    assert caught.value.errors == ["version 4: b: unknown indicator 'happiness'"]


def test_the_projection_keeps_expense_and_held_postings():
    kept = [
        "program:core:rebate_expense",
        "program:core:spiff_expense",
        "vendor:marketing:mdf_expense",
        "partner:p-1:rebates_held",
        "partner:p-1:mdf_held",
    ]
    dropped = ["partner:p-1:rebates_payable", "partner:p-1:mdf_available", "program:core:rewards_capped"]
    assert [a for a in kept + dropped if kept_posting(a)] == kept
