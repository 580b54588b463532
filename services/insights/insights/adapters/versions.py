"""The read models' version: how many consumed batches changed them (see ``read_model_changes``)."""

from __future__ import annotations

import random

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .tables import CHANGE_SLOTS, read_model_changes


async def note_change(conn: AsyncConnection) -> None:
    """Count one change in the caller's transaction (visible with the change it counts)."""
    slot = random.randrange(CHANGE_SLOTS)
    await conn.execute(
        read_model_changes.update()
        .where(read_model_changes.c.slot == slot)
        .values(changes=read_model_changes.c.changes + 1)
    )


async def read_model_version(conn: AsyncConnection) -> int:
    return int(await conn.scalar(select(func.coalesce(func.sum(read_model_changes.c.changes), 0))) or 0)
