"""Exact amounts and the one place rounding happens (half-even to the currency's minor unit)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

from incentive_contracts.currencies import minor_units

__all__ = ["minor_units"]  # the one ISO 4217 table is in incentive_contracts.currencies

HUNDRED = Decimal(100)
ZERO = Decimal(0)


def round_money(amount: Decimal, currency: str, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """Round once, where a reward is computed."""
    return amount.quantize(quantum(currency), rounding=rounding) + 0  # + 0: never -0


@cache
def quantum(currency: str) -> Decimal:
    """The currency's minor unit as a Decimal (``0.01`` for USD, ``1`` for JPY): kept per code, as the
    projector rounds several amounts per won deal."""
    return Decimal(1).scaleb(-minor_units(currency))


@cache
def zero(currency: str) -> Decimal:
    return round_money(ZERO, currency)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """Unrounded ``amount x percent %``."""
    return amount * percent / HUNDRED


def fmt(amount: Decimal) -> str:
    return format(amount, "f")


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def percent_step(amount: Decimal, currency: str, percent: Decimal, rounded: Decimal) -> str:
    """How a percentage reward was computed, in words: ``1000.00 USD x 5 % = 50.000 -> 50.00 USD (half-even)``."""
    return rate_step(fmt(amount), currency, fmt(percent), percent_of(amount, percent), rounded)


def rate_step(amount_text: str, currency: str, percent_text: str, exact: Decimal, rounded: Decimal) -> str:
    """``percent_step`` with the amount and the percent already formatted and the product computed."""
    return f"{amount_text} {currency} x {percent_text} % = {fmt(exact)} -> {fmt(rounded)} {currency} (half-even)"
