"""PostgreSQL COPY inside a SQLAlchemy connection's transaction, through its asyncpg connection."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection


async def driver_connection(conn: AsyncConnection) -> Any:
    """The asyncpg connection under ``conn`` (same transaction): for COPY, LISTEN and raw fetches."""
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    return driver


async def copy_rows(
    conn: AsyncConnection, table: str, columns: Sequence[str], records: Iterable[tuple[Any, ...]]
) -> None:
    """COPY ``records`` (tuples in ``columns`` order; JSONB values as JSON text) into ``table`` inside
    the connection's transaction: thousands of rows in one round trip."""
    driver = await driver_connection(conn)
    await driver.copy_records_to_table(table, columns=list(columns), records=records)
