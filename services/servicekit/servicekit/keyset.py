"""Keyset pages over one unique key column (stable under concurrent inserts), with opaque cursors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from incentive_kernel.paging import Page
from sqlalchemy import ColumnElement, Select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from .pagination import encode_cursor

T = TypeVar("T")
K = TypeVar("K", int, str)


async def fetch_page(
    conn: AsyncConnection,
    stmt: Select[Any],
    key_column: ColumnElement[K],
    *,
    after: K | None,
    limit: int,
    convert: Callable[[Row[Any]], T],
) -> Page[T]:
    """Up to ``limit`` rows of ``stmt`` in key order after the key ``after``; the next page's cursor
    continues after the last row's key when more rows follow."""
    if after is not None:
        stmt = stmt.where(key_column > after)
    rows = (await conn.execute(stmt.order_by(key_column).limit(limit + 1))).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return Page([convert(r) for r in rows], encode_cursor(rows[-1]._mapping[key_column]) if more and rows else None)
