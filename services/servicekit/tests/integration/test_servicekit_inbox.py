"""The inbox (consumed_events): an event applies once per consumer group, however often it is
delivered; two consumer groups sharing a database each apply it; a refused event is dead-lettered
and, after a fix, re-driven at most once, even by two re-drives at the same time."""

from __future__ import annotations

import asyncio

from servicekit.consumer import forget_offsets
from servicekit_toy import Kit, envelope

CONSUMED = "SELECT count(*) FROM consumed_events WHERE consumer_group = $1"


async def test_a_redelivered_event_applies_once(kit: Kit) -> None:
    first, second = envelope("p-1", "d-1"), envelope("p-1", "d-2")
    await kit.send([first, first, second, first])  # the same event id three times
    async with kit.consuming("g") as consumer:
        await kit.until(CONSUMED, 2, "g")
        await kit.send([second])
        await kit.until("SELECT sum(next_offset) FROM consumer_offsets", 5)
    assert consumer.applied == 2
    await forget_offsets(kit.engine, "g")
    async with kit.consuming("g") as consumer:  # every record read again from the start
        await kit.until("SELECT sum(next_offset) FROM consumer_offsets", 5)
    assert consumer.applied == 0
    assert await kit.deals("g") == ["d-1", "d-2"]


async def test_two_consumer_groups_in_one_database_each_apply_an_event(kit: Kit) -> None:
    events = [envelope("p-1", "d-1"), envelope("p-2", "d-2")]
    await kit.send(events)
    async with kit.consuming("audit"):
        await kit.until(CONSUMED, 2, "audit")
    async with kit.consuming("billing"):
        await kit.until(CONSUMED, 2, "billing")
    assert sorted(await kit.deals("audit")) == ["d-1", "d-2"]
    assert sorted(await kit.deals("billing")) == ["d-1", "d-2"]
    rows = await kit.db.fetch("SELECT consumer_group, event_id::text FROM consumed_events ORDER BY consumed_seq")
    assert sorted((r["consumer_group"], r["event_id"]) for r in rows) == sorted(
        (g, e.id) for g in ("audit", "billing") for e in events
    )


async def test_a_dead_letter_is_redriven_at_most_once(kit: Kit) -> None:
    await kit.send([envelope("p-1", "good-1"), envelope("p-1", "bad-1")])
    async with kit.consuming("g"):
        await kit.until("SELECT count(*) FROM dead_letters", 1)
        await kit.until(CONSUMED, 1, "g")  # the refused event left the inbox: a re-drive can apply it
    dead = await kit.db.fetchrow("SELECT consumer_group, reason, redriven_at FROM dead_letters")
    assert (dead["consumer_group"], dead["reason"], dead["redriven_at"]) == ("g", "invalid deal bad-1", None)
    # The dead-letter topic gets the record through the outbox.
    assert await kit.db.fetchval("SELECT count(*) FROM outbox WHERE topic = $1", f"{kit.topic}.dead") == 1

    # Still failing: nothing applies, the letter stays, with its reason.
    assert await kit.idle_consumer("g").redrive() == (0, 1)
    assert await kit.db.fetchval("SELECT count(*) FROM dead_letters WHERE redriven_at IS NULL") == 1
    assert await kit.db.fetchval("SELECT count(*) FROM outbox") == 1  # not dead-lettered twice

    await kit.db.execute("INSERT INTO toy_fixed VALUES ('bad-1')")
    # Two operators re-drive at once: the letter is locked by the first, the second finds none left.
    results = await asyncio.gather(kit.idle_consumer("g").redrive(), kit.idle_consumer("g").redrive())
    assert sorted(results) == [(0, 0), (1, 0)]
    assert await kit.idle_consumer("g").redrive() == (0, 0)
    assert await kit.deals("g") == ["good-1", "bad-1"]
    assert await kit.db.fetchval("SELECT count(*) FROM dead_letters WHERE redriven_at IS NOT NULL") == 1
    # Another group's re-drive does not touch this group's letters.
    assert await kit.idle_consumer("other").redrive() == (0, 0)

    # A redelivery of the re-driven event (the offsets forgotten) does not apply it again.
    await forget_offsets(kit.engine, "g")
    async with kit.consuming("g") as consumer:
        await kit.until("SELECT sum(next_offset) FROM consumer_offsets", 2)
    assert consumer.applied == 0
    assert await kit.deals("g") == ["good-1", "bad-1"]
