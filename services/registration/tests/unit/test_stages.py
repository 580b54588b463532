"""Stage gates, wins with influence, losses, reversals, forecasts and expiry."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from incentive_contracts.events.deal import (
    DealExpired,
    DealFlagged,
    DealForecastChanged,
    DealReversed,
    DealStageChanged,
    DealWon,
    FlagReason,
    InfluenceKind,
)
from incentive_contracts.money import Money
from registration.domain.deal import Influence, Stage, Status, fold
from registration.domain.errors import InvalidTransition, RuleViolation
from registration.domain.policy import AnomalyPolicy
from registration.domain.stages import (
    ChangeForecast,
    ChangeStage,
    LoseDeal,
    ReverseDeal,
    WinDeal,
    allowed_moves,
    decide_expire,
    decide_forecast,
    decide_lose,
    decide_reverse,
    decide_stage_change,
    decide_win,
)

from .builders import DAY, approved_deal, at_stage, usd

AT = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
RULES = AnomalyPolicy()


def test_stages_advance_one_gate_at_a_time_timestamped_with_a_forecast_close():
    deal = approved_deal()
    [event] = decide_stage_change(deal, ChangeStage("d1", Stage.QUALIFIED, AT, forecast_close=date(2026, 7, 15)))
    assert isinstance(event, DealStageChanged)
    assert (event.from_stage, event.to_stage, event.changed_at) == ("approved", "qualified", AT)
    moved = fold([event], deal)
    assert (moved.stage, moved.expected_close, moved.last_progress_on) == (
        Stage.QUALIFIED,
        date(2026, 7, 15),
        AT.date(),
    )


@pytest.mark.parametrize(
    ("stage", "target", "allowed"),
    [
        (Stage.APPROVED, Stage.PROPOSAL, ["qualified", "lost"]),
        (Stage.QUALIFIED, Stage.NEGOTIATION, ["proposal", "lost"]),
        (Stage.PROPOSAL, Stage.QUALIFIED, ["negotiation", "lost"]),
        (Stage.NEGOTIATION, Stage.PROPOSAL, ["won", "lost"]),
    ],
)
def test_an_illegal_transition_is_refused_naming_the_allowed_ones(stage, target, allowed):
    with pytest.raises(InvalidTransition) as refused:
        decide_stage_change(at_stage(stage), ChangeStage("d1", target, AT))
    assert refused.value.problem_extra == {"allowed": allowed}
    assert "allowed: " + ", ".join(allowed) in str(refused.value)


def test_won_only_from_negotiation():
    with pytest.raises(InvalidTransition) as refused:
        decide_win(at_stage(Stage.PROPOSAL), WinDeal("d1", usd("900.00"), date(2026, 6, 1)), RULES)
    assert refused.value.problem_extra == {"allowed": ["negotiation", "lost"]}


def test_a_win_carries_the_final_amount_close_date_and_only_influence_dated_before_the_close():
    deal = replace(
        at_stage(Stage.NEGOTIATION),
        influence=(
            Influence("a1", InfluenceKind.JOINT_DEMO, date(2026, 4, 1), "crm:demo"),
            Influence("a2", InfluenceKind.CO_SELLING_CALL, date(2026, 5, 31), "crm:call"),
            Influence("a3", InfluenceKind.TECHNICAL_WORKSHOP, date(2026, 6, 1), "crm:workshop-on-close-day"),
            Influence("a4", InfluenceKind.CUSTOMER_REFERRAL, date(2026, 6, 9), "crm:after"),
        ),
    )
    [won] = decide_win(deal, WinDeal("d1", usd("1234.50"), date(2026, 6, 1)), RULES)
    assert isinstance(won, DealWon)
    assert won.amount == usd("1234.50")
    assert won.closed_on == date(2026, 6, 1)
    assert won.registered is True
    assert [(a.kind, a.evidence_ref) for a in won.influence] == [
        ("joint_demo", "crm:demo"),
        ("co_selling_call", "crm:call"),
    ]
    state = fold([won], deal)
    assert (state.status, state.stage, state.final_amount) == (Status.WON, Stage.WON, usd("1234.50"))


def test_a_win_needs_a_positive_amount_in_the_deals_currency():
    deal = at_stage(Stage.NEGOTIATION)
    with pytest.raises(RuleViolation):
        decide_win(deal, WinDeal("d1", usd("0"), date(2026, 6, 1)), RULES)
    with pytest.raises(RuleViolation, match="USD"):
        decide_win(deal, WinDeal("d1", Money(amount=Decimal(5), currency="EUR"), date(2026, 6, 1)), RULES)


def test_a_close_before_or_right_after_registration_flags_the_deal_before_the_win():
    deal = at_stage(Stage.NEGOTIATION)
    after = decide_win(deal, WinDeal("d1", usd("10"), DAY - timedelta(days=3)), RULES)
    assert [e.event_type for e in after] == ["deal.flagged", "deal.won"]
    assert isinstance(after[0], DealFlagged)
    assert after[0].reason == FlagReason.REGISTERED_AFTER_CLOSE
    assert isinstance(after[1], DealWon)
    assert after[1].registered is False  # approved after the close
    near = decide_win(deal, WinDeal("d1", usd("10"), DAY + timedelta(days=5)), RULES)
    assert near[0].reason == FlagReason.REGISTERED_NEAR_CLOSE  # type: ignore[attr-defined]


def test_lost_from_any_open_stage_with_the_reason():
    for stage in (Stage.APPROVED, Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION):
        [lost] = decide_lose(at_stage(stage), LoseDeal("d1", date(2026, 5, 1), " budget cut "))
        assert lost.reason == "budget cut"  # type: ignore[attr-defined]
        assert fold([lost], at_stage(stage)).status == Status.LOST
    won = fold(
        decide_win(at_stage(Stage.NEGOTIATION), WinDeal("d1", usd("10"), date(2026, 6, 1)), RULES),
        at_stage(Stage.NEGOTIATION),
    )
    with pytest.raises(InvalidTransition) as refused:
        decide_lose(won, LoseDeal("d1", date(2026, 6, 2)))
    assert refused.value.problem_extra == {"allowed": ["reversed"]}


def won_deal(amount="1000.00"):
    deal = at_stage(Stage.NEGOTIATION)
    return fold(decide_win(deal, WinDeal("d1", usd(amount), date(2026, 6, 1)), RULES), deal)


def test_partial_then_full_reversal_of_a_won_deal():
    deal = won_deal("1000.00")
    [partial] = decide_reverse(deal, ReverseDeal("d1", date(2026, 7, 1), "refunded: 3 seats", usd("300.00")))
    assert isinstance(partial, DealReversed)
    assert (partial.amount, partial.full) == (usd("300.00"), False)
    deal = fold([partial], deal)
    assert (deal.status, deal.reversed_amount) == (Status.WON, Decimal("300.00"))
    with pytest.raises(RuleViolation, match=r"only 700\.00 USD"):
        decide_reverse(deal, ReverseDeal("d1", date(2026, 7, 2), "refunded", usd("700.01")))
    [rest] = decide_reverse(deal, ReverseDeal("d1", date(2026, 7, 2), "cancelled: contract void"))
    assert (rest.amount, rest.full) == (usd("700.00"), True)  # type: ignore[attr-defined]
    deal = fold([rest], deal)
    assert deal.status == Status.REVERSED
    with pytest.raises(InvalidTransition):
        decide_reverse(deal, ReverseDeal("d1", date(2026, 7, 3), "again"))


def test_a_reversal_is_refused_on_an_open_deal_or_before_the_close():
    with pytest.raises(InvalidTransition):
        decide_reverse(at_stage(Stage.PROPOSAL), ReverseDeal("d1", date(2026, 7, 1), "refund"))
    with pytest.raises(RuleViolation, match="before the close"):
        decide_reverse(won_deal(), ReverseDeal("d1", date(2026, 5, 1), "refund"))
    with pytest.raises(RuleViolation, match="USD"):
        decide_reverse(
            won_deal(), ReverseDeal("d1", date(2026, 7, 1), "refund", Money(amount=Decimal(1), currency="EUR"))
        )


def test_forecast_changes_emit_only_when_something_changes():
    deal = approved_deal()
    assert decide_forecast(deal, ChangeForecast("d1", AT, deal.expected_amount, deal.expected_close)) == []
    [event] = decide_forecast(deal, ChangeForecast("d1", AT, usd("1500.00")))
    assert isinstance(event, DealForecastChanged)
    assert (event.expected_amount, event.expected_close) == (usd("1500.00"), deal.expected_close)
    with pytest.raises(InvalidTransition):
        decide_forecast(won_deal(), ChangeForecast("d1", AT, usd("1.00")))


def test_expiry_takes_the_date_and_only_touches_approved_deals_without_progress():
    deal = approved_deal()  # approved on DAY
    assert decide_expire(deal, DAY + timedelta(days=60), 60) == []
    [expired] = decide_expire(deal, DAY + timedelta(days=61), 60)
    assert isinstance(expired, DealExpired)
    assert (expired.expired_on, expired.last_progress_on, expired.stage) == (DAY + timedelta(days=61), DAY, "approved")
    assert fold([expired], deal).status == Status.EXPIRED
    progressed = fold(decide_stage_change(deal, ChangeStage("d1", Stage.QUALIFIED, AT)), deal)
    assert decide_expire(progressed, DAY + timedelta(days=61), 60) == []
    assert decide_expire(won_deal(), date(2030, 1, 1), 60) == []


def test_allowed_moves_describe_each_status():
    assert allowed_moves(approved_deal()) == ["qualified", "lost"]
    assert allowed_moves(won_deal()) == ["reversed"]
