"""The `registration consume` worker: partner tiers as the ledger reports them, applied once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from incentive_contracts import topics
from incentive_contracts.events.partner import PartnerTierChanged
from incentive_contracts.registry import encode
from registration.bootstrap import bootstrap
from registration.entrypoints.tiers import TIER_CONSUMER
from servicekit.kafka import ensure_topics, make_producer
from servicekit.testing.consumers import stop_and_leave

from .helpers import enroll, fetch, manager


def tier_event(partner_id: str, tier: str, effective: date, sequence: int):
    payload = PartnerTierChanged(
        partner_id=partner_id,
        program_id="default",
        previous_tier=None,
        tier=tier,
        effective_at=effective,
        reason="quarterly re-evaluation",
        rule_version=2,
    )
    return encode(payload, source="/ledger", time=datetime(2026, 4, 1, tzinfo=UTC), sequence=sequence)


async def test_tier_changes_from_the_ledger_topic_show_on_partners_once(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1", "p2")
    ledger_topic = topics.prefixed(topics.LEDGER, settings.topic_prefix)
    await ensure_topics(settings, [ledger_topic, topics.prefixed(topics.DEAD_LETTER, settings.topic_prefix)])
    gold = tier_event("p1", "gold", date(2026, 4, 1), 1)
    older = tier_event("p1", "silver", date(2026, 1, 1), 2)
    stranger = tier_event("ghost", "gold", date(2026, 4, 1), 1)
    p2 = tier_event("p2", "platinum", date(2026, 4, 1), 1)
    producer = make_producer(settings)
    await producer.start()
    try:
        for event in (gold, gold, older, stranger, p2):  # gold twice: a redelivery
            await producer.send_and_wait(ledger_topic, event.to_json(), key=event.partitionkey.encode())
    finally:
        await producer.stop()

    runtime = bootstrap(settings.model_copy(update={"ledger_consumer_group": f"{settings.topic_prefix}tiers"})).runtime
    consumer = TIER_CONSUMER.build(runtime)
    await consumer.consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        for _ in range(400):  # bounded wait for the four distinct events to be consumed
            rows = await fetch(settings, "SELECT count(*) AS n FROM consumed_events")
            dead = await fetch(settings, "SELECT count(*) AS n FROM dead_letters")
            if rows[0]["n"] + dead[0]["n"] >= 4:
                break
            await asyncio.sleep(0.05)
    finally:
        consumer.stop()
        await task
        await stop_and_leave(consumer.consumer)
        await runtime.close()

    p1 = (await client.get("/partners/p1", headers=manager(settings))).json()
    assert (p1["tier"], p1["tier_effective_at"]) == ("gold", "2026-04-01")
    assert (await client.get("/partners/p2", headers=manager(settings))).json()["tier"] == "platinum"
    consumed = await fetch(settings, "SELECT event_id FROM consumed_events ORDER BY consumed_seq")
    assert sorted(str(r["event_id"]) for r in consumed) == sorted([gold.id, older.id, p2.id])
    dead = await fetch(settings, "SELECT event_id, reason FROM dead_letters")
    assert [(r["event_id"], r["reason"]) for r in dead] == [(stranger.id, "unknown partner ghost")]
