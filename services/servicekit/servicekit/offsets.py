"""Consumer offsets kept in PostgreSQL, next to the effects they cover.

The consumer commits the next offset of every partition in the same transaction as the batch's
effects and seeks to it on every (re)assignment, so a rebalance or a crash neither loses nor repeats
an effect; Kafka's own committed offsets are only a courtesy copy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from .handling import Inbound
from .tables import consumer_offsets
from .unit_of_work import UnitOfWork

__all__ = ["forget_offsets", "next_positions", "store_offsets", "stored_offsets"]


async def stored_offsets(engine: AsyncEngine, group: str) -> dict[TopicPartition, int]:
    """The next offset of every partition the group has committed in the database."""
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(consumer_offsets.c.topic, consumer_offsets.c.partition, consumer_offsets.c.next_offset).where(
                    consumer_offsets.c.consumer_group == group
                )
            )
        ).all()
    return {TopicPartition(r.topic, r.partition): r.next_offset for r in rows}


def next_positions(records: Sequence[ConsumerRecord[bytes, bytes]]) -> dict[TopicPartition, int]:
    """The offset to continue from, per partition, after ``records``."""
    positions: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        positions[tp] = max(positions.get(tp, 0), record.offset + 1)
    return positions


async def store_offsets(
    uow: UnitOfWork,
    group: str,
    records: Sequence[ConsumerRecord[bytes, bytes]],
    applied: Sequence[Inbound],
    highwater: Callable[[TopicPartition], int | None],
) -> dict[TopicPartition, int]:
    """Upsert the group's next offsets (and how many events each partition applied) in ``uow``."""
    positions = next_positions(records)
    applied_by_tp: dict[TopicPartition, int] = {}
    for event in applied:
        tp = TopicPartition(event.topic, event.partition)
        applied_by_tp[tp] = applied_by_tp.get(tp, 0) + 1
    rows = [
        {
            "consumer_group": group,
            "topic": tp.topic,
            "partition": tp.partition,
            "next_offset": next_offset,
            "high_watermark": highwater(tp) or next_offset,
            "applied_count": applied_by_tp.get(tp, 0),
        }
        for tp, next_offset in sorted(positions.items())
    ]
    stmt = insert(consumer_offsets)
    stmt = stmt.on_conflict_do_update(
        index_elements=["consumer_group", "topic", "partition"],
        set_={
            # Plain assignment, never GREATEST: after a broker lost its data the offsets start
            # again from zero; a regressed offset only re-reads events the inbox de-duplicates.
            "next_offset": stmt.excluded.next_offset,
            "high_watermark": stmt.excluded.high_watermark,
            "applied_count": text("consumer_offsets.applied_count + excluded.applied_count"),
            "updated_at": text("now()"),
        },
    )
    await uow.conn.execute(stmt, rows)
    return positions


async def forget_offsets(engine: AsyncEngine, group: str | None = None) -> int:
    """Delete stored offsets (of one group or all) so the next assignment reads from the start."""
    async with engine.begin() as conn:
        stmt = consumer_offsets.delete()
        if group is not None:
            stmt = stmt.where(consumer_offsets.c.consumer_group == group)
        return int((await conn.execute(stmt)).rowcount or 0)
