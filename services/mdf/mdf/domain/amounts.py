"""Exact amounts: currency precision and the one rounding rule (half-even to the minor unit)."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from incentive_contracts.money import Money

ZERO = Decimal(0)
HUNDRED = Decimal(100)

# ISO 4217 minor units that differ from the usual two decimals.
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "BHD": 3, "JOD": 3, "KWD": 3, "OMR": 3, "TND": 3}


def minor_units(currency: str) -> int:
    return _MINOR_UNITS.get(currency, 2)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def round_amount(amount: Decimal, currency: str) -> Decimal:
    """Half-even to the currency's minor unit: the only rounding the mdf service does."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_EVEN)


def fits_currency(amount: Decimal, currency: str) -> bool:
    """True when the amount has no more decimals than the currency allows."""
    return amount == round_amount(amount, currency)


def money(amount: Decimal, currency: str) -> Money:
    return Money(amount=amount, currency=currency)


def show(amount: Decimal, currency: str) -> str:
    """An amount for messages, at the currency's precision."""
    return f"{round_amount(amount, currency)} {currency}"


def percent(fraction: Decimal) -> str:
    """0.5 -> '50%' (for messages)."""
    return f"{(fraction * HUNDRED).normalize():f}%"


def show_at_most(amount: Decimal, currency: str) -> str:
    """An upper limit for messages, rounded down so the amount shown is itself allowed."""
    return f"{amount.quantize(quantum(currency), rounding=ROUND_DOWN)} {currency}"
