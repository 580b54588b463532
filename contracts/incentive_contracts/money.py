"""Money on the wire: a decimal string with an ISO 4217 currency code, never a float.

:class:`Money` is the one money type of every service's API and every event. What it accepts:

- ``currency``: an active ISO 4217 code (:mod:`incentive_contracts.currencies`); metals, test
  codes, units of account and fund codes are refused (``XAU``, ``XTS``, ``XXX``, ``XDR``...);
- ``amount``: a decimal string of ASCII digits, ``-?[0-9]+(.[0-9]+)?`` (no spaces, signs other than
  a leading ``-``, exponents, underscores or other scripts' digits), or a :class:`~decimal.Decimal`
  in Python; never a JSON number, a float or a bool;
- magnitude below 10^15 major units (``MAX_MAGNITUDE``), so every amount fits the services'
  NUMERIC columns;
- no finer than the currency's minor unit: ``1.001 USD`` and ``1.5 JPY`` are refused (trailing
  zeros are not finer: ``1.000 USD`` is ``1.00 USD``).

Producers and API edges are strict. Recorded events are read with :data:`RECORDED` as the
validation context (``registry.decode`` does): an event stored before these rules (an MDF accrual
with four places, a code that was accepted then) stays readable; only the grammar and finiteness
still apply there. Amounts re-read from storage use :meth:`Money.recorded` for the same reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Final

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)

from .currencies import MINOR_UNITS, is_currency, minor_units

DECIMAL_PATTERN: Final = r"^-?[0-9]+(\.[0-9]+)?$"
MAX_MAGNITUDE: Final = Decimal(10) ** 15
"""Amounts are strictly below this in absolute value (at most 999,999,999,999,999 major units)."""
RECORDED: Final = {"money": "recorded"}
"""Validation context for events and rows recorded earlier: tolerant on currency, places, magnitude."""

_DECIMAL = re.compile(DECIMAL_PATTERN)
_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(5)}
_CODE_SCHEMA = WithJsonSchema(
    {
        "type": "string",
        "enum": sorted(MINOR_UNITS),
        "description": "active ISO 4217 currency code (no metals, test, unit-of-account or fund codes)",
    },
    mode="validation",
)
_CODE = re.compile(r"^[A-Z]{3}$")


def parse_decimal(value: object) -> Decimal:
    """A strict decimal: a ``DECIMAL_PATTERN`` string or a finite Decimal; ValueError otherwise."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("must be a finite number")
        return value
    if isinstance(value, str):
        if not _DECIMAL.fullmatch(value):
            raise ValueError("must be a decimal string like '1234.50' (ASCII digits, no spaces or exponent)")
        return Decimal(value)
    raise ValueError("must be a decimal string like '1234.50': never floats or JSON numbers")


def _to_str(value: Decimal) -> str:
    return format(value, "f")


DecimalString = Annotated[
    Decimal,
    BeforeValidator(parse_decimal),
    PlainSerializer(_to_str, return_type=str, when_used="always"),
    WithJsonSchema({"type": "string", "pattern": DECIMAL_PATTERN}, mode="validation"),
    Field(description="Exact decimal amount, serialised as a string"),
]


def _bounded(value: object) -> Decimal:
    amount = parse_decimal(value)
    if abs(amount) >= MAX_MAGNITUDE:
        raise ValueError("must be less than 10^15 in absolute value")
    return amount


Amount = Annotated[
    Decimal,
    BeforeValidator(_bounded),
    PlainSerializer(_to_str, return_type=str, when_used="always"),
    WithJsonSchema({"type": "string", "pattern": DECIMAL_PATTERN}, mode="validation"),
    Field(description="Exact amount as a decimal string, below 10^15 (in the currency given beside it)"),
]
"""An amount beside a separate currency field (a payout minimum, a forecast): grammar and maximum."""


def _code(value: object) -> object:
    if isinstance(value, str) and _CODE.fullmatch(value) and not is_currency(value):
        raise ValueError(f"{value} is not an active ISO 4217 currency code")
    return value


CurrencyCode = Annotated[str, BeforeValidator(_code), Field(pattern=r"^[A-Z]{3}$"), _CODE_SCHEMA]
"""A currency field outside :class:`Money` (a payout batch's, a forecast's): active ISO 4217 only."""


def _money_code(value: object, info: ValidationInfo) -> object:
    return value if _is_recorded(info) else _code(value)


def amount_violation(amount: Decimal, currency: str) -> str | None:
    """Why ``amount`` cannot be money in ``currency`` (magnitude, minor unit), or None."""
    if abs(amount) >= MAX_MAGNITUDE:
        return "must be less than 10^15 in absolute value"
    places = minor_units(currency)
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -places:
        return None  # the common case, without a quantize
    if amount != amount.quantize(_QUANTA[places]):  # trailing zeros (1.000 USD) are not finer
        return f"has more decimal places than {currency} allows ({places})"
    return None


@dataclass(frozen=True, repr=False)
class _InCurrency:
    """An amount on its way to validation, with the currency it is checked against."""

    amount: object
    currency: str | None

    def __repr__(self) -> str:
        return repr(self.amount)


def _is_recorded(info: ValidationInfo) -> bool:
    return isinstance(info.context, dict) and info.context.get("money") == "recorded"


def _amount(value: object, info: ValidationInfo) -> Decimal:
    currency: str | None = None
    if isinstance(value, _InCurrency):
        currency = value.currency
        value = value.amount
    amount = parse_decimal(value)
    if currency is not None and not _is_recorded(info):
        problem = amount_violation(amount, currency)
        if problem:
            raise ValueError(problem)
    return amount


class Money(BaseModel):
    """An exact amount in one currency."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: Annotated[
        Decimal,
        BeforeValidator(_amount),
        PlainSerializer(_to_str, return_type=str, when_used="always"),
        WithJsonSchema({"type": "string", "pattern": DECIMAL_PATTERN}, mode="validation"),
        Field(description="Exact decimal amount as a string, below 10^15, no finer than the currency's minor unit"),
    ]
    currency: Annotated[str, BeforeValidator(_money_code), Field(pattern=r"^[A-Z]{3}$"), _CODE_SCHEMA]

    @model_validator(mode="before")
    @classmethod
    def _check_in_currency(cls, data: Any) -> Any:
        """Hand the amount its currency, so a too fine amount is an error of ``amount``."""
        if not isinstance(data, dict) or "amount" not in data:
            return data
        currency = data.get("currency")
        known = currency if isinstance(currency, str) and is_currency(currency) else None
        return {**data, "amount": _InCurrency(data["amount"], known)}

    @classmethod
    def recorded(cls, amount: Decimal, currency: str) -> Money:
        """Money re-read from storage or derived from a recorded event: no currency, places or magnitude
        rules (the value was accepted when it was recorded). Built without revalidation: it is on the
        ledger's hot path, so only what a Decimal and a code must be is checked here."""
        if not isinstance(amount, Decimal) or not amount.is_finite() or not _CODE.fullmatch(currency):
            raise ValueError(f"not recorded money: {amount!r} {currency!r}")
        return cls.model_construct(amount=amount, currency=currency)
