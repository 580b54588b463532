"""Enrolment only into programs that exist: the built-in one, or one the ledger published."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from incentive_contracts import topics
from incentive_contracts.events.program import ProgramVersionPublished
from incentive_contracts.registry import encode
from registration.bootstrap import bootstrap
from registration.entrypoints.tiers import TIER_CONSUMER
from servicekit.kafka import ensure_topics, make_producer
from servicekit.testing.consumers import stop_and_leave

from .helpers import fetch, manager, outbox_types, partner_body


def _names_program_id(response) -> bool:  # type: ignore[no-untyped-def]
    body = response.json()
    return (
        response.status_code == 422
        and response.headers["content-type"].startswith("application/problem+json")
        and [e["location"] for e in body["errors"]] == ["body.program_id"]
        and "program_id" in body["detail"]
    )


async def test_enrolling_into_a_program_that_does_not_exist_is_refused_and_nothing_is_stored(
    registration_client, registration_settings
):
    client, settings = registration_client, registration_settings
    typo = await client.post("/partners", json=partner_body("acme", program_id="defualt"), headers=manager(settings))
    assert _names_program_id(typo), typo.text
    assert (await client.get("/partners/acme", headers=manager(settings))).status_code == 404
    assert await outbox_types(settings) == []

    built_in = await client.post("/partners", json=partner_body("acme"), headers=manager(settings))
    assert built_in.status_code == 201, built_in.text
    assert built_in.json()["program_id"] == "default"


async def test_moving_a_partner_into_an_unknown_program_is_refused(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    assert (await client.post("/partners", json=partner_body("acme"), headers=manager(settings))).status_code == 201
    moved = await client.patch(
        "/partners/acme", json={"program_id": "nope", "region": "APAC"}, headers=manager(settings)
    )
    assert _names_program_id(moved), moved.text
    after = (await client.get("/partners/acme", headers=manager(settings))).json()
    assert (after["program_id"], after["region"]) == ("default", "EMEA")
    assert await outbox_types(settings) == ["partner.enrolled"]
    # A change that leaves the program as it is needs no check.
    same = await client.patch("/partners/acme", json={"program_id": "default"}, headers=manager(settings))
    assert same.status_code == 200, same.text


def published(program_id: str, version: int, label: str):  # type: ignore[no-untyped-def]
    payload = ProgramVersionPublished.of(
        program_id=program_id,
        program_version=version,
        effective_from=date(2026, 5, 1),
        published_at=datetime(2026, 4, 1, tzinfo=UTC),
        label=label,
    )
    return encode(payload, source="/ledger", time=datetime(2026, 4, 1, tzinfo=UTC), sequence=version)


async def test_a_program_the_ledger_published_can_be_enrolled_into(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    before = await client.post("/partners", json=partner_body("acme", program_id="p2"), headers=manager(settings))
    assert _names_program_id(before), before.text

    ledger_topic = topics.prefixed(topics.LEDGER, settings.topic_prefix)
    await ensure_topics(settings, [ledger_topic, topics.prefixed(topics.DEAD_LETTER, settings.topic_prefix)])
    events = [published("p2", 2, "Program two, revised"), published("p2", 1, "Program two")]  # v1 late
    producer = make_producer(settings)
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(ledger_topic, event.to_json(), key=event.partitionkey.encode())
    finally:
        await producer.stop()

    runtime = bootstrap(
        settings.model_copy(update={"ledger_consumer_group": f"{settings.topic_prefix}programs"})
    ).runtime
    consumer = TIER_CONSUMER.build(runtime)
    await consumer.consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        for _ in range(400):
            if (await fetch(settings, "SELECT count(*) AS n FROM consumed_events"))[0]["n"] >= 2:
                break
            await asyncio.sleep(0.05)
    finally:
        consumer.stop()
        await task
        await stop_and_leave(consumer.consumer)
        await runtime.close()

    rows = await fetch(settings, "SELECT program_id, latest_version, label FROM known_programs")
    assert [tuple(r) for r in rows] == [("p2", 2, "Program two, revised")]
    assert await fetch(settings, "SELECT * FROM dead_letters") == []
    enrolled = await client.post("/partners", json=partner_body("acme", program_id="p2"), headers=manager(settings))
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["program_id"] == "p2"
