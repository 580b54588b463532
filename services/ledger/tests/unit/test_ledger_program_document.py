"""Program documents: validated on load, every problem listed with where it is."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from ledger.application.builtin_program import builtin_version
from ledger.domain.catalog import Catalog, ProgramVersion
from ledger.domain.program_document import InvalidProgram, load_program
from ledger_support import program

GOOD = """
program: growth
title: Growth
tiers:
  levels:
    - id: registered
    - id: silver
      qualify: {won_revenue: {USD: 100000}, points: 20}
rebate:
  percent:
    registered: {default: 5.5}
    silver: {default: 6, cloud: 7.25}
spiffs:
  - id: q3-security
    product_lines: [security]
    from: 2026-07-01
    to: 2026-09-30
    amount: {USD: 500}
clawback: {window_days: 90}
"""


def test_a_valid_document_keeps_numbers_exact():
    p = load_program(GOOD, program_id="growth")
    assert p.rebate.percent["registered"]["default"] == Decimal("5.5")
    assert p.rebate_percent("silver", "cloud") == (Decimal("7.25"), "cloud")
    assert p.rebate_percent("silver", "storage") == (Decimal("6"), "default")
    assert p.spiffs[0].from_ == date(2026, 7, 1)
    assert p.influence.required is False  # not required unless the program says so


def test_every_problem_is_listed_with_its_location():
    bad = GOOD.replace("window_days: 90", "window_days: -1").replace("title: Growth", "title: Growth\nbonus: 3")
    bad = bad.replace("to: 2026-09-30", "to: 2026-06-30")
    with pytest.raises(InvalidProgram) as caught:
        load_program(bad)
    errors = caught.value.errors
    assert "clawback.window_days: Input should be greater than or equal to 0" in errors
    assert any(e.startswith("bonus: unknown field") for e in errors)
    assert any("spiff q3-security: 'to' (2026-06-30) is before 'from' (2026-07-01)" in e for e in errors)


@pytest.mark.parametrize(
    ("amount", "found"),
    [("{XAU: 500}", "XAU is not an active ISO 4217 currency code"), ("{ABC: 500}", "ABC is not an active"),
     ("{USD: 500.001}", "more decimal places than USD allows"), ("{JPY: 1.5}", "more decimal places than JPY"),
     ("{USD: 10000000000000000}", "less than 10^15")],
)  # fmt: skip
def test_program_amounts_follow_the_contracts_money_rules(amount: str, found: str) -> None:
    """Issue 13: a SPIFF in a metal, finer than a cent or beyond 10^15 is refused on load."""
    with pytest.raises(InvalidProgram) as caught:
        load_program(GOOD.replace("amount: {USD: 500}", f"amount: {amount}"))
    assert any(found in e for e in caught.value.errors), caught.value.errors


def test_references_between_rules_are_checked():
    with pytest.raises(InvalidProgram, match=r"rebate\.percent\.silver needs a 'default' rate"):
        load_program(GOOD.replace("silver: {default: 6, cloud: 7.25}", "silver: {cloud: 7.25}"))
    with pytest.raises(InvalidProgram, match=r"rebate\.percent names unknown tiers: platinum"):
        load_program(GOOD.replace("    silver: {default", "    platinum: {default: 1}\n    silver: {default"))
    with pytest.raises(InvalidProgram, match="entry tier and cannot have qualify thresholds"):
        load_program(GOOD.replace("- id: registered", "- id: registered\n      qualify: {points: 1}"))


def test_yaml_syntax_errors_name_the_line():
    with pytest.raises(InvalidProgram) as caught:
        load_program("program: growth\ntiers: [oops\n")
    assert caught.value.errors[0].startswith("not valid YAML at line 3")


def test_the_document_must_be_for_the_program_it_is_filed_under():
    with pytest.raises(InvalidProgram, match="the document is for 'growth', not 'other'"):
        load_program(GOOD, program_id="other")


def test_the_builtin_default_program_loads():
    default = builtin_version()
    assert (default.program_id, default.version) == ("default", 0)
    assert default.program.rebate_percent("registered", "cloud") == (Decimal("5"), "default")


def test_the_version_in_force_is_the_latest_effective_one_published_before_the_event():
    v1 = program(version=1, effective_from=date(2026, 1, 1))
    v2 = program(version=2, effective_from=date(2026, 4, 1), published_at=datetime(2026, 2, 15, tzinfo=UTC))
    fix = program(version=3, effective_from=date(2026, 1, 1), published_at=datetime(2026, 3, 10, tzinfo=UTC))
    catalog = Catalog([v1, v2, fix])
    before_fix = datetime(2026, 3, 1, tzinfo=UTC)
    after_fix = datetime(2026, 3, 20, tzinfo=UTC)

    def version(on: date, known: datetime) -> int | None:
        found = catalog.in_force("growth", on, known)
        return found.version if isinstance(found, ProgramVersion) else None

    assert version(date(2025, 12, 31), after_fix) is None  # nothing in force before the first date
    assert version(date(2026, 2, 1), before_fix) == 1
    assert version(date(2026, 2, 1), after_fix) == 3  # a correction applies to events recorded after it
    assert version(date(2026, 4, 2), before_fix) == 2
    assert version(date(2026, 4, 2), datetime(2026, 2, 1, tzinfo=UTC)) == 1  # v2 was not published yet
    assert catalog.in_force("other", date(2026, 4, 2), after_fix) is None
