"""Commitment benefits: the rules worked by hand, granted and revoked as the partner crosses the line."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from governance.domain.benefit_rules import RuleBook, measure, terms_of
from governance.domain.benefits import BenefitStanding, Window, decide_evaluate, evolve_standing
from governance.domain.errors import RuleViolation
from incentive_contracts.builtin_program import builtin_announcement
from incentive_contracts.events.governance import GovernanceBenefitGranted, GovernanceBenefitRevoked
from incentive_contracts.events.program import CommitmentTerms, ProgramVersionPublished
from incentive_contracts.money import Money

COMMITMENT = {
    "window_days": 90,
    "engagement_points": {"quarterly_business_review": 10, "certification": 8, "enablement_session": 3},
    "rules": [
        {
            "rule_id": "committed",
            "minimum": {"engagement_points": "20", "certifications": "1"},
            "benefits": [{"benefit": "certified_status"}],
        },
        {
            "rule_id": "strategic",
            "minimum": {"rituals_held": "2", "pipeline:USD": "100000"},
            "benefits": [{"benefit": "free_training", "amount": {"amount": "1500.00", "currency": "USD"}}],
        },
    ],
}


def announced(
    version: int,
    effective_from: date,
    commitment: dict[str, Any] | None,
    rate: str = "0.05",
    published_on: date = date(2026, 1, 1),
) -> ProgramVersionPublished:
    """The ledger's announcement of a version of the program ``default``."""
    return ProgramVersionPublished.of(
        program_id="default",
        program_version=version,
        effective_from=effective_from,
        published_at=datetime.combine(published_on, datetime.min.time(), tzinfo=UTC),
        label="Default",
        commitment=CommitmentTerms.model_validate(commitment) if commitment is not None else None,
        spot_audit_rate=rate,
    )


RULES = terms_of(announced(1, date(2026, 1, 1), COMMITMENT))
AS_OF = date(2026, 3, 31)


def test_engagement_kinds_are_measured_as_points_and_certifications() -> None:
    # 1 QBR (10) + 2 certifications (2 x 8) + 1 enablement (3) = 29 points; 2 certifications.
    raw = {
        "engagement:quarterly_business_review": Decimal(1),
        "engagement:certification": Decimal(2),
        "engagement:enablement_session": Decimal(1),
        "pipeline:USD": Decimal("5000"),
    }
    assert measure(RULES, raw) == {
        "engagement_points": Decimal(29),
        "certifications": Decimal(2),
        "pipeline:USD": Decimal("5000"),
    }


def test_the_window_is_the_ninety_days_up_to_and_including_the_day() -> None:
    assert Window.ending(AS_OF, 90) == Window(date(2026, 1, 1), date(2026, 3, 31))


def test_crossing_the_minimum_grants_the_benefit_with_its_explanation() -> None:
    # 1 QBR (10) + 2 certifications (16) = 26 points >= 20 and 2 certifications >= 1: committed holds.
    raw = {"engagement:quarterly_business_review": Decimal(1), "engagement:certification": Decimal(2)}
    events = decide_evaluate(BenefitStanding("p-1"), RULES, raw, AS_OF)
    assert events == [
        GovernanceBenefitGranted(
            partner_id="p-1",
            benefit="certified_status",
            kind="non_monetary",
            amount=None,
            effective_on=AS_OF,
            rule_id="committed",
            rules_version=1,
            window_from=date(2026, 1, 1),
            window_to=AS_OF,
            inputs={"engagement_points": "26", "certifications": "2"},
            minimum={"engagement_points": "20", "certifications": "1"},
        )
    ]


def test_below_the_minimum_nothing_is_granted() -> None:
    # 1 QBR (10) + 1 certification (8) = 18 points < 20.
    raw = {"engagement:quarterly_business_review": Decimal(1), "engagement:certification": Decimal(1)}
    assert decide_evaluate(BenefitStanding("p-1"), RULES, raw, AS_OF) == []


def test_a_monetary_benefit_carries_its_amount() -> None:
    raw = {"rituals_held": Decimal(2), "pipeline:USD": Decimal("100000")}
    (granted,) = decide_evaluate(BenefitStanding("p-1"), RULES, raw, AS_OF)
    assert isinstance(granted, GovernanceBenefitGranted)
    assert (granted.benefit, granted.kind, granted.amount) == (
        "free_training",
        "monetary",
        Money(amount=Decimal("1500.00"), currency="USD"),
    )


def test_falling_below_revokes_what_is_held_naming_the_unmet_metrics_and_holding_stays_quiet() -> None:
    raw = {"engagement:quarterly_business_review": Decimal(1), "engagement:certification": Decimal(2)}
    standing = evolve_standing(None, decide_evaluate(BenefitStanding("p-1"), RULES, raw, AS_OF)[0])
    assert decide_evaluate(standing, RULES, raw, date(2026, 4, 1)) == []  # still sustained: no event
    # On 06-29 the window is 04-01..06-29 (30 + 31 + 29 = 90 days): only one certification (8 points)
    # falls in it, and 8 < 20.
    later = date(2026, 6, 29)
    (revoked,) = decide_evaluate(standing, RULES, {"engagement:certification": Decimal(1)}, later)
    assert revoked == GovernanceBenefitRevoked(
        partner_id="p-1",
        benefit="certified_status",
        effective_on=later,
        rule_id="committed",
        rules_version=1,
        window_from=date(2026, 4, 1),
        window_to=later,
        inputs={"engagement_points": "8", "certifications": "1"},
        minimum={"engagement_points": "20", "certifications": "1"},
        unmet=["engagement_points"],
    )
    assert evolve_standing(standing, revoked).held == {}


def test_rule_versions_apply_from_their_effective_date() -> None:
    second = terms_of(announced(2, date(2026, 7, 1), {**COMMITMENT, "window_days": 30}, rate="0.1"))
    book = RuleBook((second, RULES))
    assert book.in_force(date(2026, 6, 30)).version == 1
    assert book.in_force(date(2026, 6, 30)).audit_rate == Decimal("0.05")
    assert book.in_force(date(2026, 7, 1)).window_days == 30
    assert book.in_force(date(2026, 7, 1)).audit_rate == Decimal("0.1")
    assert book.latest.version == 2


def test_a_higher_minimum_announced_applies_only_from_its_effective_date() -> None:
    # Given version 2 raises the committed minimum from 20 to 30 engagement points from 1 July,
    raised = {**COMMITMENT, "rules": [{**COMMITMENT["rules"][0], "minimum": {"engagement_points": "30"}}]}
    book = RuleBook((RULES, terms_of(announced(2, date(2026, 7, 1), raised))))
    raw = {"engagement:quarterly_business_review": Decimal(2), "engagement:certification": Decimal(1)}  # 28 points
    # when a partner with 28 points is evaluated on 30 June, it is granted under version 1;
    granted = decide_evaluate(BenefitStanding("p-1"), book.in_force(date(2026, 6, 30)), raw, date(2026, 6, 30))
    assert [(e.benefit, e.rules_version) for e in granted if isinstance(e, GovernanceBenefitGranted)] == [
        ("certified_status", 1)
    ]
    standing = evolve_standing(None, granted[0])
    # then on 1 July the same activity falls short of version 2's minimum and the benefit is revoked.
    revoked = decide_evaluate(standing, book.in_force(date(2026, 7, 1)), raw, date(2026, 7, 1))
    assert [(type(e), e.rules_version) for e in revoked] == [(GovernanceBenefitRevoked, 2)]
    assert isinstance(revoked[0], GovernanceBenefitRevoked)
    assert revoked[0].minimum == {"engagement_points": "30"}


def test_a_correction_applies_from_its_publication_day_never_before() -> None:
    # Given version 2 published on 10 May as a correction effective from 1 April (a 30-day window),
    correction = terms_of(
        announced(2, date(2026, 4, 1), {**COMMITMENT, "window_days": 30}, published_on=date(2026, 5, 10))
    )
    book = RuleBook((RULES, correction))
    # then a day evaluated before its publication keeps version 1, and from then on version 2 applies.
    assert book.in_force(date(2026, 4, 15)).version == 1
    assert book.in_force(date(2026, 5, 10)).version == 2


def test_a_version_without_commitment_rules_grants_nothing_and_ends_what_is_held() -> None:
    raw = {"engagement:quarterly_business_review": Decimal(1), "engagement:certification": Decimal(2)}
    standing = evolve_standing(None, decide_evaluate(BenefitStanding("p-1"), RULES, raw, AS_OF)[0])
    bare = terms_of(announced(2, date(2026, 4, 1), None))
    assert bare.rules == ()
    assert bare.audit_rate == Decimal("0.05")
    ended = decide_evaluate(standing, bare, raw, date(2026, 4, 1))
    assert [(type(e), e.benefit) for e in ended] == [(GovernanceBenefitRevoked, "certified_status")]


def test_the_builtin_version_0_is_the_default_programs_shipped_document() -> None:
    # One document both services read (incentive_contracts/programs/default.yaml): the ledger serves it
    # as version 0 and governance applies its commitment rules and audit rate.
    builtin = terms_of(builtin_announcement())
    assert (builtin.program_id, builtin.version, builtin.effective_from) == ("default", 0, date(1970, 1, 1))
    assert [r.rule_id for r in builtin.rules] == ["committed-partner", "strategic-partner"]
    committed = builtin.rule("committed-partner")
    assert committed is not None
    assert committed.minimum == {"engagement_points": 20, "certifications": 1}
    assert builtin.engagement_points["certification"] == 8
    assert builtin.window_days == 90
    assert builtin.audit_rate == Decimal("0.05")
    strategic = builtin.rule("strategic-partner")
    assert strategic is not None
    assert [b.amount for b in strategic.benefits if b.kind == "monetary"] == [Money(amount="1500.00", currency="USD")]


def test_an_evaluation_never_goes_back_before_the_last_change() -> None:
    raw = {"engagement:quarterly_business_review": Decimal(1), "engagement:certification": Decimal(2)}
    standing = evolve_standing(None, decide_evaluate(BenefitStanding("p-1"), RULES, raw, AS_OF)[0])
    with pytest.raises(RuleViolation):
        decide_evaluate(standing, RULES, raw, date(2026, 3, 30))
