from datetime import date
from decimal import Decimal

import pytest
from incentive_contracts.money import Money
from mdf.domain.amounts import percent, round_amount, show_at_most
from mdf.domain.periods import Period
from pydantic import ValidationError


def test_period_parses_and_knows_its_days():
    q1 = Period.parse("2026-Q1")
    assert (q1.starts_on, q1.ends_on) == (date(2026, 1, 1), date(2026, 3, 31))
    q4 = Period.parse("2025-Q4")
    assert (q4.starts_on, q4.ends_on) == (date(2025, 10, 1), date(2025, 12, 31))
    assert str(Period.containing(date(2026, 8, 15))) == "2026-Q3"
    assert q1.contains(date(2026, 3, 31))
    assert not q1.contains(date(2026, 4, 1))


@pytest.mark.parametrize("bad", ["2026-Q5", "2026Q1", "26-Q1", "2026-q1", ""])
def test_malformed_periods_are_refused(bad):
    with pytest.raises(ValueError, match="2026-Q1"):
        Period.parse(bad)


def test_rounding_is_half_even_to_the_minor_unit():
    assert round_amount(Decimal("2.345"), "EUR") == Decimal("2.34")
    assert round_amount(Decimal("2.355"), "EUR") == Decimal("2.36")
    assert round_amount(Decimal("2.5"), "JPY") == Decimal("2")
    assert round_amount(Decimal("1.0005"), "KWD") == Decimal("1.000")


def test_precision_follows_the_currency():
    """The contracts' Money type holds the rule now (the service's own check was the same rule)."""
    assert Money(amount=Decimal("10.25"), currency="EUR")
    assert Money(amount=Decimal("10.125"), currency="BHD")
    for amount, currency in (("10.255", "EUR"), ("10.5", "JPY")):
        with pytest.raises(ValidationError, match="decimal places"):
            Money(amount=Decimal(amount), currency=currency)


def test_limits_shown_round_down_and_percentages_read_naturally():
    assert show_at_most(Decimal("499.995"), "EUR") == "499.99 EUR"
    assert percent(Decimal("0.50")) == "50%"
    assert percent(Decimal("0.375")) == "37.5%"
