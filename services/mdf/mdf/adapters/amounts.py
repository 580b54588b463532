"""Amounts read back from NUMERIC(20, 4) columns, shown at the currency's precision when exact."""

from __future__ import annotations

from decimal import Decimal

from ..domain.amounts import round_amount


def stored(value: Decimal, currency: str) -> Decimal:
    """5000.0000 EUR reads as 5000.00; 12.3456 EUR (an accrual) keeps its four places."""
    rounded = round_amount(value, currency)
    return rounded if rounded == value else value.normalize()


def maybe_stored(value: Decimal | None, currency: str) -> Decimal | None:
    return None if value is None else stored(value, currency)
