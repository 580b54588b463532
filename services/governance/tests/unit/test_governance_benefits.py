"""Commitment benefits: the rules worked by hand, granted and revoked as the partner crosses the line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from governance.domain.benefit_rules import RuleBook, measure, parse_rules
from governance.domain.benefits import BenefitStanding, Window, decide_evaluate, evolve_standing
from governance.domain.errors import RuleViolation
from incentive_contracts.events.governance import GovernanceBenefitGranted, GovernanceBenefitRevoked
from incentive_contracts.money import Money

RULES = parse_rules(
    {
        "program_id": "default",
        "version": 1,
        "effective_from": "2026-01-01",
        "window_days": 90,
        "engagement_points": {"quarterly_business_review": 10, "certification": 8, "enablement_session": 3},
        "rules": [
            {
                "rule_id": "committed",
                "minimum": {"engagement_points": 20, "certifications": 1},
                "benefits": [{"benefit": "certified_status"}],
            },
            {
                "rule_id": "strategic",
                "minimum": {"rituals_held": 2, "pipeline:USD": "100000"},
                "benefits": [{"benefit": "free_training", "amount": {"amount": "1500.00", "currency": "USD"}}],
            },
        ],
    }
)
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


def test_rule_versions_apply_from_their_effective_date(tmp_path: Path) -> None:
    second = parse_rules({**_document(), "version": 2, "effective_from": "2026-07-01", "window_days": 30})
    book = RuleBook((second, RULES))
    assert book.in_force(date(2026, 6, 30)).version == 1
    assert book.in_force(date(2026, 7, 1)).window_days == 30
    assert book.latest.version == 2


def test_the_packaged_rules_load() -> None:
    folder = Path(__file__).resolve().parents[2] / "governance" / "rules"
    for path in folder.glob("*.yaml"):
        assert parse_rules(yaml.safe_load(path.read_text())).rules


def test_a_bad_rules_document_names_every_problem() -> None:
    bad = {**_document(), "rules": [{"rule_id": "x", "minimum": {"Points": 1}, "benefits": [{"benefit": "b"}]}]}
    with pytest.raises(RuleViolation) as refused:
        parse_rules(bad)
    assert "rules[0]" in str(refused.value)


def _document() -> dict[str, object]:
    return {
        "program_id": "default",
        "version": 1,
        "effective_from": "2026-01-01",
        "window_days": 90,
        "rules": [{"rule_id": "r", "minimum": {"engagement_points": 1}, "benefits": [{"benefit": "b"}]}],
    }


def test_an_evaluation_never_goes_back_before_the_last_change() -> None:
    raw = {"engagement:quarterly_business_review": Decimal(1), "engagement:certification": Decimal(2)}
    standing = evolve_standing(None, decide_evaluate(BenefitStanding("p-1"), RULES, raw, AS_OF)[0])
    with pytest.raises(RuleViolation):
        decide_evaluate(standing, RULES, raw, date(2026, 3, 30))
