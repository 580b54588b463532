"""The outbox: gap-free per-partner sequences under concurrent units of work, the relay publishing
in outbox order (each partner's events in sequence order on its partition), and re-publishing a
range after a broker lost data. A toy payload, the real PostgreSQL and the real broker."""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict
from datetime import UTC, datetime

from incentive_contracts.envelope import CloudEvent
from servicekit.kafka import make_producer
from servicekit.relay import OutboxRelay, republish
from servicekit_toy import Kit, read_topic, won

WHEN = datetime(2026, 2, 1, tzinfo=UTC)
PARTNERS = ["p-a", "p-b", "p-c"]


async def stage(kit: Kit, unit: int, events: int, *, commit: bool = True) -> None:
    """One unit of work staging ``events`` events round the partners, pausing between them."""
    async with kit.uow_factory() as uow:
        for n in range(events):
            uow.publish(won(PARTNERS[(unit + n) % len(PARTNERS)], f"u{unit}-{n}"), time=WHEN)
            await asyncio.sleep(random.random() / 100)
        if commit:
            await uow.commit()
        else:
            await uow.rollback()


async def outbox_rows(kit: Kit) -> list[tuple[str, int]]:
    rows = await kit.db.fetch("SELECT partition_key, sequence FROM outbox ORDER BY id")
    return [(r["partition_key"], r["sequence"]) for r in rows]


def sequences_by_partner(records: list[tuple[str, CloudEvent]]) -> dict[str, list[int]]:
    """Each key's event sequence numbers in the order its partition holds them."""
    found: dict[str, list[int]] = defaultdict(list)
    for key, event in records:
        assert key == event.subject
        found[key].append(int(event.sequence or 0))
    return dict(found)


async def test_concurrent_units_take_gap_free_sequences_in_commit_order(kit: Kit) -> None:
    await asyncio.gather(
        *(stage(kit, unit, 4) for unit in range(12)),
        *(stage(kit, 100 + unit, 3, commit=False) for unit in range(4)),  # rolled back: no number used
    )
    by_partner: dict[str, list[int]] = defaultdict(list)
    for partner, sequence in await outbox_rows(kit):
        by_partner[partner].append(sequence)
    assert sum(len(s) for s in by_partner.values()) == 48
    for partner, sequences in by_partner.items():
        # Numbered 1..n with no gap and no repeat, and written (outbox id) in that order.
        assert sequences == list(range(1, len(sequences) + 1)), partner
    claimed = await kit.db.fetch("SELECT partition_key, last_sequence FROM stream_sequences ORDER BY 1")
    assert {r["partition_key"]: r["last_sequence"] for r in claimed} == {p: len(s) for p, s in by_partner.items()}


async def test_the_relay_publishes_in_order_and_a_range_can_be_published_again(kit: Kit) -> None:
    for unit in range(5):
        await stage(kit, unit, 6)
    producer = make_producer(kit.settings)
    await producer.start()
    relay = OutboxRelay(kit.engine, producer, name="toy", batch_size=7, poll_seconds=0.1)
    task = asyncio.create_task(relay.run())
    try:
        await kit.until("SELECT count(*) FROM outbox WHERE published_at IS NULL", 0)
        records = await read_topic(kit.settings, kit.topic, 30)
        assert relay.stats.published == 30
        assert relay.stats.batches >= 5  # batches of at most 7
        assert sequences_by_partner(records) == {p: list(range(1, 11)) for p in PARTNERS}

        ids = [r["id"] for r in await kit.db.fetch("SELECT id FROM outbox ORDER BY id")]
        assert await republish(kit.engine, from_id=ids[10], to_id=ids[19]) == 10
        again = await read_topic(kit.settings, kit.topic, 40)
        resent = await kit.db.fetch(
            "SELECT event_id::text, partition_key, sequence FROM outbox WHERE id BETWEEN $1 AND $2", ids[10], ids[19]
        )
        counts = Counter(event.id for _, event in again)
        assert sorted(i for i, n in counts.items() if n == 2) == sorted(r["event_id"] for r in resent)
        assert set(counts.values()) == {1, 2}  # the same events again, nothing new
        # Each partner's re-sent events follow its first ones, in sequence order again.
        expected = {p: list(range(1, 11)) for p in PARTNERS}
        for row in sorted(resent, key=lambda r: r["sequence"]):
            expected[row["partition_key"]].append(row["sequence"])
        assert sequences_by_partner(again) == expected
        assert await republish(kit.engine, from_id=ids[-1] + 1) == 0  # nothing past the end
    finally:
        relay.stop()
        await task
        await producer.stop()
