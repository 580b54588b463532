"""Rebuilding the read models from offset 0: empty them and forget what the consumer group consumed.

Run with the consumer stopped (``insights rebuild``, then ``insights consume``): the group then reads
every topic from the beginning and the projection builds the same read models again. Dead letters are
kept (re-drive them as usual).
"""

from __future__ import annotations

from servicekit.tables import consumed_events, consumer_offsets, parked_events
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncEngine

from .money_tables import MONEY_READ_MODELS
from .tables import READ_MODELS
from .versions import note_change


def projected_tables() -> tuple[Table, ...]:
    """Every table the consumer fills from events (and nothing configured by people)."""
    return READ_MODELS + MONEY_READ_MODELS


async def reset_read_models(engine: AsyncEngine, group: str) -> int:
    """Empty the read models and the group's inbox, parked events and offsets; returns the events forgotten."""
    async with engine.begin() as conn:
        names = ", ".join(table.name for table in projected_tables())
        await conn.execute(text(f"TRUNCATE {names}"))
        forgotten = await conn.execute(consumed_events.delete().where(consumed_events.c.consumer_group == group))
        await conn.execute(parked_events.delete().where(parked_events.c.consumer_group == group))
        await conn.execute(consumer_offsets.delete().where(consumer_offsets.c.consumer_group == group))
        await note_change(conn)  # the emptied read models are a new version
        return int(forgotten.rowcount or 0)
