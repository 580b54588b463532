"""Keyset pages over a table's ``seq`` column (stable under concurrent inserts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import ColumnElement, Select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.ports import Page

T = TypeVar("T")


async def fetch_page(
    conn: AsyncConnection,
    stmt: Select,  # type: ignore[type-arg]
    seq_column: ColumnElement[int],
    *,
    after: int | None,
    limit: int,
    convert: Callable[[Row], T],  # type: ignore[type-arg]
) -> Page[T]:
    if after is not None:
        stmt = stmt.where(seq_column > after)
    rows = (await conn.execute(stmt.order_by(seq_column).limit(limit + 1))).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return Page([convert(r) for r in rows], rows[-1].seq if more else None)
