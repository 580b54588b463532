"""The whole life of a fund: allocate -> request -> approve -> claim with proof -> milestone
disbursements -> period close, with the position checked at every step and the partner's events
read back from Kafka (published by the real outbox relay) in order."""

from __future__ import annotations

import asyncio
from datetime import date

from incentive_contracts.envelope import CloudEvent
from incentive_contracts.registry import decode
from mdf.entrypoints.api import create_app
from mdf_api import PERIOD, MdfApi, eur, position
from mdf_kafka import prepare_topics, read_mdf_topic
from servicekit.db import create_engine
from servicekit.kafka import make_producer
from servicekit.relay import OutboxRelay
from servicekit.testing.client import app_client

MILESTONES = [
    {"name": "plan", "trigger": "plan_approved", "percent": "50"},
    {"name": "proof", "trigger": "proof_approved", "percent": "50"},
]


async def test_full_lifecycle_positions_and_events_in_order(kafka_settings, clock):
    await prepare_topics(kafka_settings)
    engine = create_engine(kafka_settings.database_url, pool_size=2)
    producer = make_producer(kafka_settings)
    await producer.start()
    relay = OutboxRelay(engine, producer, name="mdf", poll_seconds=0.2)
    relay_task = asyncio.create_task(relay.run())
    try:
        async with app_client(create_app(kafka_settings, clock=clock)) as client:
            await run_lifecycle(MdfApi(client, kafka_settings), clock)
        events = await read_mdf_topic(kafka_settings, "acme", 10)
    finally:
        relay.stop()
        await relay_task
        await producer.stop()
        await engine.dispose()

    assert [e["type"] for e in events] == [
        "mdf.allocated",
        "mdf.request_submitted",
        "mdf.request_approved",
        "mdf.disbursed",
        "mdf.claim_submitted",
        "mdf.claim_approved",
        "mdf.reservation_released",  # issue 12: 500 of the 5000 reserved goes back, the ledger too
        "mdf.disbursed",
        "mdf.results_reported",
        "mdf.funds_expired",
    ]
    assert [int(e["sequence"]) for e in events] == list(range(1, 11))
    assert all(e["subject"] == e["partitionkey"] == "acme" and e["source"] == "/mdf" for e in events)
    payloads = [decode(CloudEvent.model_validate(e)) for e in events]
    assert [(p.milestone, p.amount.model_dump(mode="json")) for p in payloads if p.event_type == "mdf.disbursed"] == [
        ("plan", eur("2500.00")),
        ("proof", eur("2000.00")),
    ]
    assert payloads[5].approved_amount.model_dump(mode="json") == eur("4500.00")
    assert payloads[6].amount.model_dump(mode="json") == eur("500.00")
    assert payloads[9].amount.model_dump(mode="json") == eur("5500.00")


async def run_lifecycle(api: MdfApi, clock) -> None:
    await api.budget("20000.00")
    await api.allocate("acme", "10000.00")
    await api.allocate("globex", "1000.00")
    assert await api.position("acme") == position(allocated="10000.00", available="10000.00")

    await api.submit("acme", "r1", "6000.00", planned="12000.00", milestones=MILESTONES)
    assert await api.position("acme") == position(allocated="10000.00", available="10000.00")

    await api.approve("r1", "5000.00")  # reserves 5000 and pays half of it on the plan
    assert await api.position("acme") == position(
        allocated="10000.00", reserved="2500.00", disbursed="2500.00", available="5000.00"
    )

    clock.set(date(2026, 5, 12))
    await api.claim("acme", "r1", "c1", "4600.00", "9300.00")
    assert await api.position("acme") == position(
        allocated="10000.00", reserved="2500.00", disbursed="2500.00", available="5000.00"
    )

    await api.ok("POST", "/claims/c1/approve", {"amount": eur("4500.00")})  # 2000 more paid, 500 released
    assert await api.position("acme") == position(
        allocated="10000.00", claimed="4500.00", disbursed="4500.00", available="5500.00"
    )

    clock.set(date(2026, 7, 2))
    closed = await api.ok("POST", f"/periods/{PERIOD}/close", {"as_of": "2026-07-01"})
    assert closed["expired"] == [eur("6500.00")]  # acme 5500 + globex 1000
    assert await api.position("acme") == position(
        allocated="10000.00", claimed="4500.00", disbursed="4500.00", expired="5500.00"
    )
