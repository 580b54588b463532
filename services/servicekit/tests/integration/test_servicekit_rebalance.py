"""Two instances of one consumer group on the toy topic: partitions move between them as one joins
and the other leaves, and every event is applied exactly once, the offsets stored with the effects
in PostgreSQL saying where each partition stands."""

from __future__ import annotations

import asyncio

from servicekit.consumer import IdempotentConsumer
from servicekit_toy import Kit, envelope, until

PARTNERS = [f"p-{n}" for n in range(8)]
APPLIED = "SELECT count(*) FROM toy_deals"


async def owns_one_partition(*consumers: IdempotentConsumer) -> bool:
    await asyncio.sleep(0)
    return all(len(c.consumer.assignment()) == 1 for c in consumers)


async def send_round(kit: Kit, name: str, per_partner: int = 3) -> None:
    await kit.send([envelope(p, f"{name}-{p}-{n}") for n in range(per_partner) for p in PARTNERS])


async def test_every_event_applies_once_while_partitions_move(kit: Kit) -> None:
    await send_round(kit, "first")
    async with kit.consuming("g") as one:
        await kit.until(APPLIED, 24)
        async with kit.consuming("g") as two:  # joins: the partitions are shared out again
            await until(lambda: owns_one_partition(one, two), True, "one partition each")
            await send_round(kit, "second")
            await kit.until(APPLIED, 48)
            assert two.applied > 0
        # ``two`` left: its partitions come back to ``one``, which seeks to the stored offsets.
        await send_round(kit, "third")
        await kit.until(APPLIED, 72)
    assert one.applied + two.applied == 72
    deals = await kit.db.fetch("SELECT deal_id, count(*) AS n FROM toy_deals GROUP BY 1 HAVING count(*) > 1")
    assert deals == []
    offsets = await kit.db.fetch(
        "SELECT partition, next_offset, high_watermark, applied_count FROM consumer_offsets"
        " WHERE consumer_group = 'g' ORDER BY partition"
    )
    assert [r["partition"] for r in offsets] == [0, 1]
    assert sum(r["next_offset"] for r in offsets) == 72
    assert sum(r["applied_count"] for r in offsets) == 72
    assert all(r["high_watermark"] == r["next_offset"] for r in offsets)
    # Each partner's events applied in the order they were sent (one partition per partner).
    for partner in PARTNERS:
        rows = await kit.db.fetch("SELECT deal_id FROM toy_deals WHERE deal_id LIKE $1 ORDER BY n", f"%-{partner}-%")
        sent = [f"{r}-{partner}-{n}" for r in ("first", "second", "third") for n in range(3)]
        assert [r["deal_id"] for r in rows] == sent
