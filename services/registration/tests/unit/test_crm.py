"""CRM records: merge by version, mapping, and stepping a deal toward the CRM's truth."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from incentive_contracts.money import Money
from registration.crm_mappings import CrmMappings
from registration.domain import crm
from registration.domain.deal import Stage, Status, fold
from registration.domain.policy import RegistrationPolicy
from registration.domain.registration import RegisterDeal, RegistrationBook
from registration.domain.stages import (
    ChangeForecast,
    ChangeStage,
    LoseDeal,
    ReverseDeal,
    WinDeal,
    decide_forecast,
    decide_lose,
    decide_reverse,
    decide_stage_change,
    decide_win,
)

from .builders import partner

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GENERIC = CrmMappings().mapping("generic")


def change(version, fields, delivery=None, record="opp-1"):
    return crm.CrmChange(record, delivery or f"dl-{version}", version, T0 + timedelta(hours=version), fields)


def empty():
    return crm.CrmRecord("generic", "opp-1", "generic-opp-1")


def test_a_newer_value_wins_whatever_the_arrival_order_and_repeats_change_nothing():
    record, changed = crm.merge(empty(), change(2, {"stage": "proposal", "amount": "900"}))
    assert changed == ["amount", "stage"]
    record, changed = crm.merge(record, change(1, {"stage": "qualified", "amount": "800"}))
    assert changed == []
    assert record.fields == {"stage": "proposal", "amount": "900"}
    record, changed = crm.merge(record, change(2, {"stage": "proposal", "amount": "900"}, delivery="again"))
    assert changed == []
    record, changed = crm.merge(record, change(3, {"stage": "won"}))
    assert (changed, record.fields["amount"], record.version) == (["stage"], "900", 3)
    assert record.modified_at == T0 + timedelta(hours=3)


def test_per_field_versions_merge_partial_updates_latest_state_only():
    record, _ = crm.merge(empty(), change(5, {"amount": "500"}))
    record, _ = crm.merge(record, change(3, {"close_date": "2026-06-01", "amount": "300"}))
    assert record.fields == {"amount": "500", "close_date": "2026-06-01"}


FULL = {
    "partner_id": "acme",
    "customer_name": "Globex",
    "customer_domain": "globex.example",
    "product_line": "cloud",
    "amount": "1000.00",
    "currency": "USD",
    "close_date": "2026-06-30",
    "stage": "open",
    "created_date": "2026-03-02",
}


def desired(**fields):
    record, _ = crm.merge(empty(), change(1, {**FULL, **fields}))
    return crm.desired(record, GENERIC)


def test_mapping_turns_crm_fields_into_the_desired_deal():
    wanted = desired(close_date="1782777600000")  # epoch milliseconds, as HubSpot sends dates
    assert wanted.amount == Money(amount=Decimal("1000.00"), currency="USD")
    assert wanted.close_date == date(2026, 6, 30)
    assert wanted.target == crm.Target.OPEN
    assert wanted.problems == ()
    broken = desired(stage="unheard-of", amount="12,5", close_date="soon")
    assert len(broken.problems) == 3


def test_implausible_crm_dates_and_amounts_are_problems_not_deals():
    """Issue 13: a close in 9999, an epoch of -10^18 ms, 1.001 USD and a metal are not taken."""
    for close_date in ("9999-12-31", "0001-01-01", "99999999999999999999", "1969-12-31"):
        assert desired(close_date=close_date).problems, close_date
    assert desired(amount="1.001").problems
    assert desired(currency="XAU").problems


def test_a_record_missing_required_fields_waits():
    record, _ = crm.merge(empty(), change(1, {"stage": "qualified"}))
    step = crm.next_step(crm.desired(record, GENERIC), None, deal_id="x", at=T0, source="generic")
    assert isinstance(step, crm.Wait)
    assert "partner_id" in step.reason


def apply(step, deal):
    """The application's job, done purely here: decide the step and fold it into the deal."""
    if isinstance(step, RegisterDeal):
        return fold(RegistrationBook(RegistrationPolicy()).decide(step, partner("acme")))
    decide = {
        ChangeStage: lambda s: decide_stage_change(deal, s),
        ChangeForecast: lambda s: decide_forecast(deal, s),
        WinDeal: lambda s: decide_win(deal, s, RegistrationPolicy().anomalies),
        LoseDeal: lambda s: decide_lose(deal, s),
        ReverseDeal: lambda s: decide_reverse(deal, s),
    }[type(step)]
    return fold(decide(step), deal)


def converge(wanted, deal=None):
    steps = []
    for _ in range(12):
        step = crm.next_step(wanted, deal, deal_id="generic-opp-1", at=T0, source="generic")
        if isinstance(step, crm.Wait):
            return deal, steps, step.reason
        steps.append(type(step).__name__)
        deal = apply(step, deal)
    raise AssertionError("did not converge")


def test_a_closed_won_record_seen_first_registers_and_walks_every_gate_to_won():
    deal, steps, reason = converge(desired(stage="won", amount="1200.00"))
    assert steps == ["RegisterDeal", "ChangeStage", "ChangeStage", "ChangeStage", "WinDeal"]
    assert (deal.status, deal.final_amount.amount, deal.closed_on) == (
        Status.WON,
        Decimal("1200.00"),
        date(2026, 6, 30),
    )
    assert reason == "deal is won"


def test_open_deals_follow_forecast_changes_and_stages_never_move_back():
    deal, _, _ = converge(desired(stage="negotiation"))
    assert deal.stage == Stage.NEGOTIATION
    deal, steps, reason = converge(desired(stage="qualified", amount="1500.00"), deal)
    assert steps == ["ChangeForecast"]
    assert deal.expected_amount.amount == Decimal("1500.00")
    assert "never move back" in reason


def test_lost_and_cancelled_records():
    deal, _, _ = converge(desired(stage="proposal"))
    lost, steps, _ = converge(desired(stage="lost", lost_reason="no budget"), deal)
    assert (steps, lost.status, lost.lost_reason) == (["LoseDeal"], Status.LOST, "no budget")
    won, _, _ = converge(desired(stage="won"))
    cancelled, steps, _ = converge(desired(stage="cancelled"), won)
    assert (steps, cancelled.status) == (["ReverseDeal"], Status.REVERSED)


def test_any_order_of_a_history_with_duplicates_converges_on_the_last_version():
    history = [
        {**FULL, "stage": "open"},
        {**FULL, "stage": "qualified"},
        {**FULL, "stage": "proposal", "amount": "1100.00"},
        {**FULL, "stage": "negotiation", "amount": "1100.00"},
        {**FULL, "stage": "won", "amount": "1150.00"},
    ]
    deliveries = [change(v + 1, fields) for v, fields in enumerate(history)]
    rng = random.Random(7)
    for _ in range(25):
        shuffled = deliveries + rng.sample(deliveries, 3)
        rng.shuffle(shuffled)
        record, deal = empty(), None
        for delivery in shuffled:
            record, _ = crm.merge(record, delivery)
            deal, _, _ = converge(crm.desired(record, GENERIC), deal)
        assert (deal.status, deal.final_amount.amount) == (Status.WON, Decimal("1150.00"))
