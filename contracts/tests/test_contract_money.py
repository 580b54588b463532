"""One money type (issue 13, defect 4): active ISO 4217 codes, minor units, a maximum, a strict grammar.

Producers and API edges are strict; recorded events are read tolerantly so old streams stay readable.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from contract_support import each_event
from incentive_contracts import registry
from incentive_contracts.currencies import MINOR_UNITS
from incentive_contracts.envelope import CloudEvent
from incentive_contracts.events.ledger import LedgerMdfAccrued
from incentive_contracts.examples import example_envelope, example_payload
from incentive_contracts.money import RECORDED, CurrencyCode, Money
from pydantic import BaseModel, ValidationError


def _refused(amount: Any, currency: Any) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        Money.model_validate({"amount": amount, "currency": currency})
    return [(e["loc"], e["msg"]) for e in caught.value.errors()]


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("1.00", "USD"),
        ("1", "JPY"),
        ("1.234", "KWD"),
        ("-12.5", "EUR"),
        ("999999999999999.99", "USD"),
        ("1.000", "USD"),
        ("0", "XOF"),
    ],
)
def test_money_in_its_currency_is_accepted(amount: str, currency: str) -> None:
    money = Money.model_validate({"amount": amount, "currency": currency})
    assert money.model_dump(mode="json") == {"amount": amount, "currency": currency}


@pytest.mark.parametrize(("amount", "currency"), [("1.001", "USD"), ("1.5", "JPY"), ("0.0001", "KWD")])
def test_amount_finer_than_the_minor_unit_is_refused_naming_amount(amount: str, currency: str) -> None:
    assert [loc for loc, _ in _refused(amount, currency)] == [("amount",)]


@pytest.mark.parametrize("currency", ["ABC", "ZZZ", "XAU", "XAG", "XTS", "XXX", "XDR", "CLF", "HRK", "usd", "US"])
def test_codes_that_are_not_currencies_are_refused_naming_currency(currency: str) -> None:
    assert [loc for loc, _ in _refused("1.00", currency)] == [("currency",)]


@pytest.mark.parametrize(
    "amount",
    [
        " 1.00",
        "1.00 ",
        "1E+2",
        "1e2",
        "1_000",
        "١٢٣",
        "\uff11\uff12",
        "+1",
        "1.",
        ".5",
        "0x10",
        "NaN",
        "Infinity",
        "",
        "1,00",
        100,
        1.5,
        True,
        None,
        "1" * 40,
        "1000000000000000",
        "-1000000000000000",
        "10000000000000000",
    ],
)
def test_loose_spellings_json_numbers_and_huge_amounts_are_refused(amount: Any) -> None:
    assert [loc for loc, _ in _refused(amount, "USD")] == [("amount",)]


def test_errors_name_the_nested_field() -> None:
    class Body(BaseModel):
        expected_amount: Money

    with pytest.raises(ValidationError) as caught:
        Body.model_validate({"expected_amount": {"amount": "1.001", "currency": "USD"}})
    assert [e["loc"] for e in caught.value.errors()] == [("expected_amount", "amount")]


def test_a_lone_currency_field_takes_active_codes_only() -> None:
    class Batch(BaseModel):
        currency: CurrencyCode

    assert Batch(currency="EUR").currency == "EUR"
    for code in ("ABC", "XXX", "eur"):
        with pytest.raises(ValidationError):
            Batch(currency=code)


def test_the_table_has_the_minor_units_of_iso_4217() -> None:
    assert (MINOR_UNITS["USD"], MINOR_UNITS["JPY"], MINOR_UNITS["KWD"], MINOR_UNITS["CLP"]) == (2, 0, 3, 0)
    assert not {"XAU", "XAG", "XPT", "XPD", "XTS", "XXX", "XDR", "XSU", "XUA"} & set(MINOR_UNITS)


@each_event
def test_every_example_is_valid_for_a_strict_producer(key: tuple[str, int]) -> None:
    example_payload(*key)  # validated without the recorded context


def test_a_recorded_event_from_before_the_rules_still_decodes() -> None:
    """An MDF accrual recorded with four places and a code accepted then: readers stay tolerant."""
    envelope = example_envelope("ledger.mdf_accrued", 1)
    data = {**envelope.data, "amount": {"amount": "12.3456", "currency": "EUR"}}
    old = CloudEvent.model_validate({**envelope.model_dump(mode="json"), "data": data})
    payload = registry.decode(old)
    assert isinstance(payload, LedgerMdfAccrued)
    assert payload.amount.amount == Decimal("12.3456")
    with pytest.raises(ValidationError):
        LedgerMdfAccrued.model_validate(old.data)  # a producer could not write it today
    assert Money.model_validate({"amount": "5", "currency": "ABC"}, context=RECORDED).currency == "ABC"
    assert Money.recorded(Decimal("12.3456"), "EUR").amount == Decimal("12.3456")
