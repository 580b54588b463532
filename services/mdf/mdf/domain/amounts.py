"""Exact amounts: currency precision and the one rounding rule (half-even to the minor unit)."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from incentive_contracts.currencies import minor_units
from incentive_contracts.money import Money

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def round_amount(amount: Decimal, currency: str) -> Decimal:
    """Half-even to the currency's minor unit: the only rounding the mdf service does."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_EVEN)


def money(amount: Decimal, currency: str) -> Money:
    """Money the service computed from amounts that were themselves valid money (strict)."""
    return Money(amount=amount, currency=currency)


def fund_money(amount: Decimal, currency: str) -> Money:
    """Money from a fund balance: it may hold an accrual the ledger recorded with four places."""
    return Money.recorded(amount, currency)


def show(amount: Decimal, currency: str) -> str:
    """An amount for messages, at the currency's precision."""
    return f"{round_amount(amount, currency)} {currency}"


def percent(fraction: Decimal) -> str:
    """0.5 -> '50%' (for messages)."""
    return f"{(fraction * HUNDRED).normalize():f}%"


def show_at_most(amount: Decimal, currency: str) -> str:
    """An upper limit for messages, rounded down so the amount shown is itself allowed."""
    return f"{amount.quantize(quantum(currency), rounding=ROUND_DOWN)} {currency}"
