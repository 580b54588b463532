"""One page of a keyset-paginated list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """The items of one page; ``next_cursor`` is the opaque cursor of the next page (None on the last)."""

    items: list[T]
    next_cursor: str | None
