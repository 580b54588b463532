"""The unit of work on the toy service: nothing is written unless it commits, a savepoint's rollback
also forgets the events staged inside it, a large unit goes to the outbox by COPY with the same
gap-free numbering, every commit with events wakes the relay (NOTIFY), and envelopes carry the
source, the correlation id of the request and the causation id."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from incentive_contracts.envelope import CloudEvent
from servicekit.logging import correlation_id_var
from servicekit.unit_of_work import COPY_FROM_ROWS, OUTBOX_CHANNEL
from servicekit_toy import Kit, won
from sqlalchemy import text

WHEN = datetime(2026, 2, 1, tzinfo=UTC)


async def outbox(kit: Kit) -> list[CloudEvent]:
    rows = await kit.db.fetch("SELECT payload FROM outbox WHERE sequence IS NOT NULL ORDER BY id")
    return [CloudEvent.from_json(r["payload"]) for r in rows]


async def test_nothing_is_written_unless_the_unit_commits(kit: Kit) -> None:
    async with kit.uow_factory() as uow:
        uow.publish(won("p-1", "d-1"), time=WHEN)
        await uow.conn.execute(text("INSERT INTO toy_items (name) VALUES ('left')"))
        # Leaves without committing.
    async with kit.uow_factory() as uow:
        uow.publish(won("p-1", "d-2"), time=WHEN)
        await uow.rollback()
        assert uow.staged_events == []
    assert await kit.db.fetchval("SELECT count(*) FROM outbox") == 0
    assert await kit.db.fetchval("SELECT count(*) FROM toy_items") == 0
    assert await kit.db.fetchval("SELECT count(*) FROM stream_sequences") == 0


async def test_a_savepoint_rollback_forgets_its_events_and_keeps_the_rest(kit: Kit) -> None:
    async with kit.uow_factory() as uow:
        kept = uow.publish(won("p-1", "kept"), time=WHEN)
        async with uow.savepoint() as mark:
            uow.publish(won("p-1", "dropped"), time=WHEN)
            uow.publish_raw(topic="toy.dead", key="p-1", event_type="deadletter", body=b"{}")
            await uow.conn.execute(text("INSERT INTO toy_items (name) VALUES ('dropped')"))
            await mark.rollback()
        async with uow.savepoint():
            uow.publish(won("p-1", "inner"), time=WHEN)
        try:
            async with uow.savepoint():
                uow.publish(won("p-1", "raised"), time=WHEN)
                raise LookupError("a use case failing half-way")
        except LookupError:
            pass
        envelopes = await uow.commit()
    assert [e.data["deal_id"] for e in envelopes] == ["kept", "inner"]
    assert envelopes[0].id == kept
    stored = await outbox(kit)
    assert [e.data["deal_id"] for e in stored] == ["kept", "inner"]
    assert [e.sequence for e in stored] == ["1", "2"]
    assert await kit.db.fetchval("SELECT count(*) FROM outbox") == 2  # the raw record went with its savepoint
    assert await kit.db.fetchval("SELECT count(*) FROM toy_items") == 0


async def test_a_large_unit_goes_by_copy_with_gap_free_numbers_and_wakes_the_relay(kit: Kit) -> None:
    woken: list[str] = []
    await kit.db.add_listener(OUTBOX_CHANNEL, lambda *args: woken.append(args[2]))
    async with kit.uow_factory() as uow:
        uow.publish(won("p-1", "first"), time=WHEN)
        await uow.commit()
    events = COPY_FROM_ROWS * 30  # encoded while the COPY runs: more than one of asyncpg's 512 kB messages
    async with kit.uow_factory() as uow:
        for n in range(events):
            uow.publish(won(f"p-{n % 3}", f"d-{n}"), time=WHEN)
        uow.publish_raw(topic="toy.dead", key="p-9", event_type="deadletter", body=b'{"reason":"x"}')
        envelopes = await uow.commit()
    for _ in range(50):
        if len(woken) == 2:
            break
        await asyncio.sleep(0.05)
    assert len(woken) == 2  # one NOTIFY per commit
    stored = await outbox(kit)
    assert len(stored) == events + 1
    assert list(envelopes) == stored[1:]  # what the unit says it wrote is what the COPY stored, in order
    assert await kit.db.fetchval("SELECT sum(octet_length(payload)) FROM outbox") > 2 * 524288
    for partner in ("p-0", "p-1", "p-2"):
        numbers = [int(e.sequence or 0) for e in stored if e.subject == partner]
        assert numbers == list(range(1, len(numbers) + 1))
    raw = await kit.db.fetchrow("SELECT sequence, event_type, payload FROM outbox WHERE topic = 'toy.dead'")
    assert (raw["sequence"], raw["event_type"], raw["payload"]) == (None, "deadletter", b'{"reason":"x"}')


async def test_envelopes_carry_the_source_and_the_requests_correlation(kit: Kit) -> None:
    token = correlation_id_var.set("req-42")
    try:
        async with kit.uow_factory() as uow:
            cause = uow.publish(won("p-1", "d-1"), time=WHEN)
            uow.publish(
                won("p-1", "d-2"), time=WHEN, causation_id=cause, event_id="00000000-0000-4000-8000-000000000001"
            )
            await uow.commit()
    finally:
        correlation_id_var.reset(token)
    first, second = await outbox(kit)
    assert (first.source, first.type, first.time) == ("/toy", "deal.won", WHEN)
    assert first.correlationid == second.correlationid == "req-42"
    assert (second.id, second.causationid) == ("00000000-0000-4000-8000-000000000001", cause)
