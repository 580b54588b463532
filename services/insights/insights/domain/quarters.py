"""Calendar quarters as ``YYYY-Qn`` strings, and moving between them."""

from __future__ import annotations

from datetime import date
from functools import lru_cache


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@lru_cache(maxsize=4096)
def quarter_index(quarter: str) -> int:
    """A number that orders quarters: consecutive quarters differ by one."""
    year, q = quarter.split("-Q")
    return int(year) * 4 + int(q) - 1


def quarter_at(index: int) -> str:
    return f"{index // 4}-Q{index % 4 + 1}"


@lru_cache(maxsize=4096)
def shift(quarter: str, quarters: int) -> str:
    return quarter_at(quarter_index(quarter) + quarters)
