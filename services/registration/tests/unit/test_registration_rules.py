"""Registering: validation, conflict detection, auto-approval criteria and anomaly flags."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from incentive_contracts.events.deal import (
    ConflictKind,
    DealApproved,
    DealConflicted,
    DealFlagged,
    DealRegistered,
    FlagReason,
)
from incentive_contracts.events.partner import PartnerType
from incentive_contracts.money import Money
from registration.domain.deal import Status, fold
from registration.domain.errors import AlreadyExists, RuleViolation
from registration.domain.identity import CustomerIdentity
from registration.domain.policy import AnomalyPolicy, ApprovalPolicy, RegistrationPolicy
from registration.domain.registration import DirectDeal, KnownRegistration, RegistrationBook

from .builders import DAY, partner, register, usd

POLICY = RegistrationPolicy()


def types(events):
    return [e.event_type for e in events]


def flags(events):
    return {e.reason for e in events if isinstance(e, DealFlagged)}


def known(
    deal_id, partner_id, *, status=Status.APPROVED, name="Globex", domain="globex.example", product="cloud", day=DAY
):
    return KnownRegistration(deal_id, partner_id, CustomerIdentity.of(name, domain), product, status, day)


def test_a_clean_registration_is_registered_and_approved_automatically():
    events = RegistrationBook(POLICY).decide(register(), partner())
    assert types(events) == ["deal.registered", "deal.approved"]
    registered, approved = events
    assert isinstance(registered, DealRegistered)
    assert registered.customer_domain == "globex.example"
    assert isinstance(approved, DealApproved)
    assert (approved.approved_by, approved.approved_on) == ("auto", DAY)
    deal = fold(events)
    assert deal is not None
    assert (deal.status, deal.stage.value) == (Status.APPROVED, "approved")


@pytest.mark.parametrize(
    ("command", "who", "message"),
    [
        (register(), None, "not an active enrolled partner"),
        (register(), partner(active=False), "not an active enrolled partner"),
        (register(expected_amount=usd("0")), partner(), "must be positive"),
        (register(customer_name=" ,. "), partner(), "letters or digits"),
        (register(customer_domain="localhost"), partner(), "not a web domain"),
        (register(product_line="   "), partner(), "product line"),
        (register(registered_on=date(2025, 12, 1)), partner(), "before the partner enrolled"),
    ],
)
def test_invalid_registrations_are_refused_with_a_clear_reason(command, who, message):
    with pytest.raises(RuleViolation, match=message):
        RegistrationBook(POLICY).decide(command, who)


def test_a_known_deal_id_is_refused():
    with pytest.raises(AlreadyExists):
        RegistrationBook(POLICY).decide(register(), partner(), exists=True)


def test_another_partners_active_registration_in_the_window_puts_the_new_one_in_conflict():
    book = RegistrationBook(POLICY, registrations=[known("first", "rival", day=DAY - timedelta(days=89))])
    events = book.decide(register(), partner())
    assert types(events) == ["deal.registered", "deal.conflicted"]
    conflicted = events[1]
    assert isinstance(conflicted, DealConflicted)
    assert (conflicted.kind, conflicted.conflicts_with) == (ConflictKind.CHANNEL, ["first"])


def test_customer_identity_matches_by_name_when_a_registration_has_no_domain():
    book = RegistrationBook(POLICY, registrations=[known("first", "rival", name="GLOBEX, Inc", domain=None)])
    assert "deal.conflicted" in types(book.decide(register(customer_name="Globex Incorporated"), partner()))


@pytest.mark.parametrize(
    "earlier",
    [
        known("old", "rival", day=DAY - timedelta(days=90)),  # outside the 90-day window
        known("lost", "rival", status=Status.LOST),
        known("rejected", "rival", status=Status.REJECTED),
        known("expired", "rival", status=Status.EXPIRED),
        known("won", "rival", status=Status.WON),
        known("mine", "acme"),  # the same partner is no conflict
        known("other-product", "rival", product="security"),
        known("other-customer", "rival", name="Initech", domain="initech.example"),
    ],
)
def test_only_another_partners_active_registration_of_the_same_customer_and_product_in_the_window_conflicts(earlier):
    events = RegistrationBook(POLICY, registrations=[earlier]).decide(register(), partner())
    assert "deal.conflicted" not in types(events)


def test_the_exclusivity_window_is_configurable():
    earlier = known("first", "rival", day=DAY - timedelta(days=100))
    short = RegistrationBook(POLICY, registrations=[earlier])
    long = RegistrationBook(replace(POLICY, exclusivity_days=120), registrations=[earlier])
    assert "deal.conflicted" not in types(short.decide(register(), partner()))
    assert "deal.conflicted" in types(long.decide(register(), partner()))


def test_a_vendor_direct_deal_puts_registrations_in_conflict():
    direct = DirectDeal("v1", CustomerIdentity.of("Globex", "globex.example"), "cloud", DAY - timedelta(days=10))
    events = RegistrationBook(POLICY, direct_deals=[direct]).decide(register(), partner())
    conflicted = events[-1]
    assert isinstance(conflicted, DealConflicted)
    assert (conflicted.kind, conflicted.conflicts_with) == (ConflictKind.VENDOR_DIRECT, ["direct:v1"])
    inactive = replace(direct, active=False)
    assert "deal.conflicted" not in types(
        RegistrationBook(POLICY, direct_deals=[inactive]).decide(register(), partner())
    )


def test_first_come_within_one_batch_the_holder_is_named_first():
    book = RegistrationBook(POLICY)
    first = book.decide(register("a", "p1"), partner("p1"))
    second = book.decide(register("b", "p2"), partner("p2"))
    third = book.decide(register("c", "p3"), partner("p3"))
    assert types(first) == ["deal.registered", "deal.approved"]
    assert isinstance(second[-1], DealConflicted)
    assert second[-1].conflicts_with == ["a"]
    assert isinstance(third[-1], DealConflicted)
    assert third[-1].conflicts_with == ["a", "b"]


@pytest.mark.parametrize(
    ("policy", "command", "who"),
    [
        (ApprovalPolicy(enabled=False), register(), partner()),
        (ApprovalPolicy(), register(expected_amount=usd("250000.01")), partner()),
        (ApprovalPolicy(), register(expected_amount=Money(amount=Decimal(100), currency="JPY")), partner()),
        (ApprovalPolicy(), register(expected_close=DAY + timedelta(days=366)), partner()),
        (ApprovalPolicy(partner_types=frozenset({PartnerType.SYSTEM_INTEGRATOR})), register(), partner()),
        (ApprovalPolicy(tiers=frozenset({"gold"})), register(), partner(tier="silver")),
    ],
)
def test_registrations_outside_the_auto_approval_criteria_wait_for_a_manager(policy, command, who):
    events = RegistrationBook(replace(POLICY, approval=policy)).decide(command, who)
    assert types(events) == ["deal.registered"]
    deal = fold(events)
    assert deal is not None
    assert deal.status == Status.PENDING


def test_auto_approval_at_the_limits():
    book = RegistrationBook(replace(POLICY, approval=ApprovalPolicy(tiers=frozenset({"gold"}))))
    command = register(expected_amount=usd("250000.00"), expected_close=DAY + timedelta(days=365))
    assert types(book.decide(command, partner(tier="gold"))) == ["deal.registered", "deal.approved"]


def test_self_dealing_is_flagged_and_not_auto_approved():
    events = RegistrationBook(POLICY).decide(
        register(customer_domain="sales.acme.example"), partner(domain="acme.example")
    )
    assert types(events) == ["deal.registered", "deal.flagged"]
    assert flags(events) == {FlagReason.SELF_DEALING}


def test_registering_just_before_or_after_the_expected_close_is_flagged():
    near = RegistrationBook(POLICY).decide(register(expected_close=DAY + timedelta(days=7)), partner())
    after = RegistrationBook(POLICY).decide(register(expected_close=DAY - timedelta(days=1)), partner())
    fine = RegistrationBook(POLICY).decide(register(expected_close=DAY + timedelta(days=8)), partner())
    assert flags(near) == {FlagReason.REGISTERED_NEAR_CLOSE}
    assert flags(after) == {FlagReason.REGISTERED_AFTER_CLOSE}
    assert flags(fine) == set()


def test_the_same_customer_registered_by_several_partners_is_flagged_from_the_third_partner():
    book = RegistrationBook(POLICY)
    first = book.decide(register("a", "p1", product_line="cloud"), partner("p1"))
    second = book.decide(register("b", "p2", product_line="security"), partner("p2"))
    third = book.decide(register("c", "p3", product_line="storage"), partner("p3"))
    assert flags(first) == flags(second) == set()
    assert flags(third) == {FlagReason.MULTI_PARTNER_CUSTOMER}
    detail = next(e.detail for e in third if isinstance(e, DealFlagged))
    assert "p1, p2, p3" in detail


def test_velocity_far_above_the_partners_norm_is_flagged():
    rules = AnomalyPolicy(velocity_min_count=5, velocity_multiplier=Decimal(3))
    policy = replace(POLICY, anomalies=rules)
    # Norm: 90 registrations over the 90 baseline days = 7 a week; threshold max(5, 3 x 7) = 21.
    baseline = {("acme", DAY - timedelta(days=7 + i)): 1 for i in range(90)}
    recent = {("acme", DAY - timedelta(days=1)): 20}
    book = RegistrationBook(policy, daily_counts={**baseline, **recent})
    assert flags(book.decide(register("r21", customer_name="C21", customer_domain="c21.example"), partner())) == set()
    events = book.decide(register("r22", customer_name="C22", customer_domain="c22.example"), partner())
    assert flags(events) == {FlagReason.REGISTRATION_VELOCITY}
    assert "22 registrations in 7 days" in next(e.detail for e in events if isinstance(e, DealFlagged))


def test_velocity_of_a_new_partner_is_judged_against_the_minimum_count():
    policy = replace(POLICY, anomalies=AnomalyPolicy(velocity_min_count=3))
    book = RegistrationBook(policy)
    outcomes = [
        flags(book.decide(register(f"d{i}", customer_name=f"C{i}", customer_domain=f"c{i}.example"), partner()))
        for i in range(4)
    ]
    assert outcomes == [set(), set(), set(), {FlagReason.REGISTRATION_VELOCITY}]


def test_a_conflicting_registration_with_flags_carries_both():
    book = RegistrationBook(POLICY, registrations=[known("first", "rival")])
    events = book.decide(register(customer_domain="globex.example"), partner(domain="globex.example"))
    assert types(events) == ["deal.registered", "deal.flagged", "deal.conflicted"]
