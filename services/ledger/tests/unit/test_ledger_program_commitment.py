"""The program's commitment benefits and spot-audit rate: validated on load like every section, said in
plain language when a version changes them, and announced to governance with the version."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from incentive_contracts.builtin_program import builtin_announcement
from ledger.adapters.handbook_render import handbook_html
from ledger.application.handbook import write_handbook
from ledger.application.program_announcement import announcement
from ledger.application.programs import StoredVersion, builtin_stored
from ledger.domain.program_diff import Difference, differences
from ledger.domain.program_document import InvalidProgram, program_as_data
from ledger_support import program

COMMITMENT: dict[str, Any] = {
    "window_days": 90,
    "rules": [
        {
            "rule_id": "committed-partner",
            "description": "Engagement and a certification.",
            "minimum": {"engagement_points": 20, "certifications": 1},
            "benefits": [{"benefit": "certified_status"}, {"benefit": "early_betas"}],
        },
        {
            "rule_id": "strategic-partner",
            "minimum": {"rituals_held": 2, "pipeline:USD": "100000"},
            "benefits": [{"benefit": "free_training", "amount": {"amount": "1500.00", "currency": "USD"}}],
        },
    ],
}


def with_rules(change: dict[str, Any] | None = None, rate: str = "0.05") -> Any:
    section = {**COMMITMENT, **(change or {})}
    return program({"commitment": section, "spot_audits": {"rate": rate}}).program


def test_a_commitment_section_loads_with_exact_minimums_and_monetary_amounts() -> None:
    loaded = with_rules()
    assert loaded.commitment is not None
    strategic = loaded.commitment.rules[1]
    assert strategic.minimum == {"rituals_held": Decimal(2), "pipeline:USD": Decimal("100000")}
    assert strategic.benefits[0].amount is not None
    assert strategic.benefits[0].amount.amount == Decimal("1500.00")
    assert loaded.spot_audits.rate == Decimal("0.05")


def test_a_program_without_the_sections_grants_no_benefits_and_samples_at_the_default_rate() -> None:
    bare = program().program
    assert bare.commitment is None
    assert bare.spot_audits.rate == Decimal("0.05")


@pytest.mark.parametrize(
    ("section", "value", "named"),
    [
        ("spot_audits", {"rate": "1.5"}, "spot_audits.rate"),
        ("spot_audits", {"rate": "-0.1"}, "spot_audits.rate"),
        ("spot_audits", {"rate": "0.05", "seed": "x"}, "spot_audits.seed"),
        ("commitment", {"window_days": 0, "rules": []}, "commitment.window_days"),
        (
            "commitment",
            {"window_days": 90, "rules": [{"rule_id": "r", "minimum": {"Points": 1}, "benefits": [{"benefit": "b"}]}]},
            "commitment.rules.0.minimum",
        ),
        (
            "commitment",
            {"window_days": 90, "rules": [{"rule_id": "r", "minimum": {"wins": -1}, "benefits": [{"benefit": "b"}]}]},
            "commitment.rules.0.minimum.wins",
        ),
        (
            "commitment",
            {"window_days": 90, "rules": [{"rule_id": "r", "minimum": {"wins": 1}, "benefits": []}]},
            "commitment.rules.0.benefits",
        ),
        (
            "commitment",
            {
                "window_days": 90,
                "rules": [
                    {
                        "rule_id": "r",
                        "minimum": {"wins": 1},
                        "benefits": [{"benefit": "b", "amount": {"amount": "0.00", "currency": "USD"}}],
                    }
                ],
            },
            "commitment.rules.0.benefits.0.amount",
        ),
        (
            "commitment",
            {
                "window_days": 90,
                "rules": [
                    {
                        "rule_id": "r",
                        "minimum": {"wins": 1},
                        "benefits": [{"benefit": "b", "amount": {"amount": "1.001", "currency": "USD"}}],
                    }
                ],
            },
            "commitment.rules.0.benefits.0.amount.amount",
        ),
        (
            "commitment",
            {"window_days": 90, "rules": [COMMITMENT["rules"][0], COMMITMENT["rules"][0]]},
            "commitment.rules",
        ),
    ],
)
def test_a_bad_section_is_refused_naming_the_field(section: str, value: Any, named: str) -> None:
    with pytest.raises(InvalidProgram) as refused:
        program({section: value})
    assert any(error.startswith(named + ":") for error in refused.value.errors), refused.value.errors


def test_a_raised_minimum_a_benefit_added_and_removed_and_a_new_window_are_said_plainly() -> None:
    rules = [dict(r) for r in COMMITMENT["rules"]]
    rules[0] = {**rules[0], "minimum": {"engagement_points": 30, "certifications": 1},
                "benefits": [{"benefit": "certified_status"}, {"benefit": "roadmap_previews"}]}  # fmt: skip
    rules[1] = {**rules[1], "minimum": {"rituals_held": 1, "pipeline:USD": "100000"}}
    found = differences(with_rules(), with_rules({"window_days": 60, "rules": rules}, rate="0.1"))
    assert found == [
        Difference("benefits", "Commitment minimums are measured over the last 60 days instead of 90."),
        Difference(
            "benefits",
            "The minimum of engagement points for the committed partner rule is raised "
            "from 20 engagement points to 30 engagement points.",
        ),
        Difference("benefits", "The committed partner rule no longer earns early betas."),
        Difference("benefits", "The committed partner rule now also earns roadmap previews."),
        Difference(
            "benefits",
            "The minimum of joint plan activities held for the strategic partner rule is lowered "
            "from 2 joint plan activities held to 1 joint plan activities held.",
        ),
        Difference("audits", "The spot-audit rate rises from 5 % to 10 % of each quarter's won deals and MDF claims."),
    ]


def test_rules_introduced_withdrawn_and_a_monetary_benefit_changed_are_said_plainly() -> None:
    assert differences(program().program, with_rules())[0] == Difference(
        "benefits", "Commitment benefits are introduced, measured over the last 90 days."
    )
    assert [d.text for d in differences(program().program, with_rules())[1:]] == [
        "A new commitment rule: 1 certifications and 20 engagement points earns certified status, early betas.",
        "A new commitment rule: 100,000 registered pipeline (USD) and 2 joint plan activities held earns "
        "free training (1,500.00 USD).",
    ]
    richer = [COMMITMENT["rules"][0], {**COMMITMENT["rules"][1], "benefits": [
        {"benefit": "free_training", "amount": {"amount": "2000.00", "currency": "USD"}}]}]  # fmt: skip
    assert differences(with_rules(), with_rules({"rules": richer})) == [
        Difference(
            "benefits",
            "The strategic partner rule earns free training (2,000.00 USD) instead of free training (1,500.00 USD).",
        )
    ]
    assert differences(with_rules(), with_rules({"rules": richer[:1]})) == [
        Difference("benefits", "The strategic partner rule is withdrawn, with what it earned.")
    ]
    assert differences(with_rules(), program({"spot_audits": {"rate": "0.05"}}).program) == [
        Difference("benefits", "Commitment benefits are withdrawn: benefits held end when the version takes effect.")
    ]


def test_the_announcement_carries_the_terms_and_the_builtin_matches_the_shipped_document() -> None:
    rules = program_as_data(with_rules(rate="0.2"))
    published = StoredVersion(
        program_id="growth", version=3, status="published", document="", rules=rules,
        created_at=datetime(2026, 1, 1, tzinfo=UTC), created_by="t", effective_from=date(2026, 5, 1),
        published_at=datetime(2026, 4, 1, tzinfo=UTC),
    )  # fmt: skip
    event = announcement(published)
    assert event.spot_audit_rate == "0.2"
    assert event.commitment is not None
    assert event.commitment.rules[0].minimum == {"engagement_points": "20", "certifications": "1"}
    assert event.commitment.engagement_points == rules["engagement_points"]
    # Version 0 is never announced: governance reads the same document the ledger serves.
    assert announcement(builtin_stored()).model_dump() == builtin_announcement().model_dump()
    older = StoredVersion(**{**published.__dict__, "rules": {k: v for k, v in rules.items()
                                                              if k not in ("commitment", "spot_audits")}})  # fmt: skip
    assert (announcement(older).commitment, announcement(older).spot_audit_rate) == (None, "0.05")


def test_the_handbook_has_a_commitment_chapter_and_names_the_spot_audit_rate() -> None:
    pv = program({"commitment": COMMITMENT, "spot_audits": {"rate": "0.1"}})
    book = write_handbook(pv, status="announced", notice_days=30)
    chapter = next(s for s in book.sections if s.title == "Commitment benefits")
    assert chapter.tables[0].rows == (
        ("committed partner", "Engagement and a certification.", "1 certifications and 20 engagement points",
         "certified status, early betas"),
        ("strategic partner", "-", "100,000 registered pipeline (USD) and 2 joint plan activities held",
         "free training (1,500.00 USD)"),
    )  # fmt: skip
    assert "over the last 90 days" in chapter.paragraphs[0]
    assert any("1,500.00 USD credited to the partner's rebates payable" in p for p in chapter.paragraphs)
    holds = next(s for s in book.sections if s.title == "Holds and anomaly checks")
    assert any(p.startswith("Spot audits sample 10 % of each quarter's") for p in holds.paragraphs)
    html = handbook_html(book)
    assert "<h2>Commitment benefits</h2>" in html
    assert "free training (1,500.00 USD)" in html
    none = write_handbook(program(), status="in force", notice_days=30)
    assert next(s for s in none.sections if s.title == "Commitment benefits").paragraphs == (
        "This version of the program grants no commitment benefits.",
    )
