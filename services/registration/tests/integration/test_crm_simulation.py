"""A CRM replays an opportunity history with duplicates, in shuffled order, in batches.

Deliveries are stored by the webhook and applied by the crm-sync worker's drain, which runs at
random points in between, as the real worker would.

The final deals equal the CRM's final truth, and every state change reaches Kafka exactly once:
the real outbox relay publishes to the test broker and the topic is read back.
"""

from __future__ import annotations

import random
from collections import Counter

import orjson
import pytest
from aiokafka import AIOKafkaConsumer
from incentive_contracts import topics
from servicekit.db import create_engine
from servicekit.kafka import ensure_topics, make_producer
from servicekit.relay import OutboxRelay

from .crm_clients import CRMS, Opportunity
from .helpers import drain, enroll, fetch, manager

WON = "opp-7001"
LOST = "opp-7002"
HISTORY = [
    Opportunity(WON, 1, "open"),
    Opportunity(WON, 2, "qualified"),
    Opportunity(WON, 3, "proposal"),
    Opportunity(WON, 4, "negotiation"),
    Opportunity(WON, 5, "won", amount="1150.00"),
    Opportunity(LOST, 1, "open", customer="Initech", domain="initech.example"),
    Opportunity(LOST, 2, "lost", customer="Initech", domain="initech.example"),
]
EXPECTED = {
    WON: [
        "deal.approved",
        "deal.registered",
        "deal.stage_changed",
        "deal.stage_changed",
        "deal.stage_changed",
        "deal.won",
    ],
    LOST: ["deal.approved", "deal.lost", "deal.registered"],
}


async def publish_outbox(settings) -> int:
    """Run the real relay until the outbox is drained; returns the rows it published."""
    topic = topics.prefixed(topics.REGISTRATION, settings.topic_prefix)
    await ensure_topics(settings, [topic])
    engine = create_engine(settings.database_url, pool_size=2)
    producer = make_producer(settings)
    await producer.start()
    try:
        relay = OutboxRelay(engine, producer, name="registration-test", batch_size=50)
        while await relay.publish_batch():
            pass
        return relay.stats.published
    finally:
        await producer.stop()
        await engine.dispose()


async def read_topic(settings, expected: int) -> list[dict]:
    topic = topics.prefixed(topics.REGISTRATION, settings.topic_prefix)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    events: list[dict] = []
    try:
        for _ in range(60):  # bounded: stop once everything (or more) has arrived
            batches = await consumer.getmany(timeout_ms=500)
            events += [orjson.loads(r.value) for records in batches.values() for r in records]
            if len(events) >= expected:
                extra = await consumer.getmany(timeout_ms=500)  # anything beyond would be a duplicate
                events += [orjson.loads(r.value) for records in extra.values() for r in records]
                break
    finally:
        await consumer.stop()
    return events


@pytest.mark.parametrize(("source", "seed"), [("generic", 11), ("hubspot", 23), ("salesforce", 37)])
async def test_shuffled_duplicated_history_converges_and_each_change_reaches_kafka_once(
    registration_client, registration_settings, source, seed
):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    crm = CRMS[source](settings)
    rng = random.Random(seed)

    notifications = [(f"n-{o.record_id}-{o.version}", o) for o in HISTORY]
    notifications += [
        (f"n-{o.record_id}-{o.version}-resent", o) for o in rng.sample(HISTORY, 3)
    ]  # same version, new id
    rng.shuffle(notifications)
    deliveries = []
    while notifications:
        size = rng.randint(1, 3)
        chunk, notifications = notifications[:size], notifications[size:]
        deliveries.append(crm.body("+".join(n for n, _ in chunk), [o for _, o in chunk]))
    deliveries += rng.sample(deliveries, 3)  # whole deliveries replayed
    rng.shuffle(deliveries)

    for body in deliveries:
        response = await client.post(crm.path, content=body, headers=crm.headers(body))
        assert response.status_code == 202, response.text
        if rng.random() < 0.3:  # the worker sometimes runs between deliveries, sometimes after many
            await drain(client)
    await drain(client)
    statuses = await fetch(settings, "SELECT processed_at IS NOT NULL AS done, outcome->>'status' AS s FROM crm_inbox")
    assert {(r["done"], r["s"]) for r in statuses} == {(True, "applied")}

    won = (await client.get(f"/deals/{crm.deal_id(WON)}", headers=manager(settings))).json()
    assert (won["status"], won["stage"], won["final_amount"], won["closed_on"]) == (
        "won",
        "won",
        {"amount": "1150.00", "currency": "USD"},
        "2026-06-30",
    )
    assert [h["data"].get("to_stage") for h in won["history"] if h["type"] == "deal.stage_changed"] == [
        "qualified",
        "proposal",
        "negotiation",
    ]
    lost = (await client.get(f"/deals/{crm.deal_id(LOST)}", headers=manager(settings))).json()
    assert (lost["status"], lost["stage"]) == ("lost", "lost")

    outbox_ids = [str(r["event_id"]) for r in await fetch(settings, "SELECT event_id FROM outbox ORDER BY id")]
    assert await publish_outbox(settings) == len(outbox_ids)
    assert await publish_outbox(settings) == 0  # nothing is published twice
    events = await read_topic(settings, len(outbox_ids))
    assert sorted(e["id"] for e in events) == sorted(outbox_ids)
    assert len({e["id"] for e in events}) == len(events)

    by_deal: dict[str, list[str]] = {}
    for event in events:
        if event["type"].startswith("deal."):
            by_deal.setdefault(event["data"]["deal_id"], []).append(event["type"])
    assert {k: sorted(v) for k, v in by_deal.items()} == {
        crm.deal_id(WON): EXPECTED[WON],
        crm.deal_id(LOST): EXPECTED[LOST],
    }
    history_ids = {str(r["event_id"]) for r in await fetch(settings, "SELECT event_id FROM deal_history")}
    assert history_ids == {e["id"] for e in events if e["type"].startswith("deal.")}
    assert Counter(e["type"] for e in events)["partner.enrolled"] == 1
    sequences = [int(e["sequence"]) for e in sorted(events, key=lambda e: int(e["sequence"]))]
    assert sequences == list(range(1, len(events) + 1))  # one gap-free stream for partner p1
