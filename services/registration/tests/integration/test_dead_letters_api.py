"""Dead letters over the API (servicekit's router, mounted here with the ledger-topic consumer)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime

import jwt
import pytest
from incentive_contracts import topics
from incentive_contracts.events.partner import PartnerTierChanged
from incentive_contracts.registry import encode
from registration.bootstrap import bootstrap
from registration.entrypoints.api import create_app
from registration.entrypoints.tiers import TIER_CONSUMER
from servicekit.auth import ISSUER, mint_token
from servicekit.kafka import ensure_topics, make_producer
from servicekit.testing.client import app_client, auth_header
from servicekit.testing.consumers import stop_and_leave

from .helpers import enroll, fetch, manager, partner_token


def tier_event(partner_id: str, tier: str):  # type: ignore[no-untyped-def]
    payload = PartnerTierChanged(
        partner_id=partner_id,
        program_id="default",
        previous_tier=None,
        tier=tier,
        effective_at=date(2026, 4, 1),
        reason="quarterly re-evaluation",
        rule_version=2,
    )
    return encode(payload, source="/ledger", time=datetime(2026, 4, 1, tzinfo=UTC), sequence=1)


async def consume(settings, events) -> None:  # type: ignore[no-untyped-def]
    """Send ``events`` to the ledger topic and run `registration consume` until each is consumed or dead."""
    ledger_topic = topics.prefixed(topics.LEDGER, settings.topic_prefix)
    await ensure_topics(settings, [ledger_topic, topics.prefixed(topics.DEAD_LETTER, settings.topic_prefix)])
    producer = make_producer(settings)
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(ledger_topic, event.to_json(), key=event.partitionkey.encode())
    finally:
        await producer.stop()
    runtime = bootstrap(settings).runtime
    consumer = TIER_CONSUMER.build(runtime)
    await consumer.consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        for _ in range(400):
            done = await fetch(
                settings, "SELECT (SELECT count(*) FROM consumed_events) + (SELECT count(*) FROM dead_letters) AS n"
            )
            if done[0]["n"] >= len(events):
                break
            await asyncio.sleep(0.05)
    finally:
        consumer.stop()
        await task
        await stop_and_leave(consumer.consumer)
        await runtime.close()


def partner_bound_operator(settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A token no minting path issues (ops:admin bound to a partner), signed with the real secret."""
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": "x", "scope": "ops:admin", "iat": now, "exp": now + 60, "partner_id": "late"}
    token = jwt.encode(claims, settings.token_secret.get_secret_value(), algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


def own_group(settings):  # type: ignore[no-untyped-def]
    """A consumer group of this test's own (tests share the broker); the app re-drives as that group."""
    return settings.model_copy(update={"ledger_consumer_group": f"{settings.topic_prefix}registration-ledger"})


async def test_list_read_and_redrive_a_dead_letter_at_most_once(registration_settings, clock):
    settings = own_group(registration_settings)
    async with app_client(create_app(settings, clock=clock)) as client:
        await list_read_and_redrive(client, settings)


async def list_read_and_redrive(client, settings) -> None:  # type: ignore[no-untyped-def]
    ops = auth_header(settings, "ops:admin", subject="ops:kim")
    late = tier_event("late", "gold")
    await consume(settings, [late])

    listed = await client.get("/dead-letters", headers=ops)
    assert listed.status_code == 200, listed.text
    [letter] = listed.json()["items"]
    assert listed.json()["next_cursor"] is None
    assert (letter["event_id"], letter["reason"], letter["redriven_at"]) == (late.id, "unknown partner late", None)
    assert letter["consumer_group"] == settings.ledger_consumer_group
    assert letter["topic"] == topics.prefixed(topics.LEDGER, settings.topic_prefix)
    assert letter["partition"] >= 0
    assert letter["offset"] >= 0
    assert letter["dead_lettered_at"]
    one = await client.get(f"/dead-letters/{letter['id']}", headers=ops)
    assert one.json() == letter

    # Before the fix it still fails: it stays dead-lettered, not re-driven.
    too_early = await client.post(f"/dead-letters/{letter['id']}/redrive", headers=ops)
    assert too_early.status_code == 200, too_early.text
    assert too_early.json()["redriven"] is False
    assert too_early.json()["dead_letter"]["redriven_at"] is None

    await enroll(client, settings, "late")
    redriven = await client.post(
        f"/dead-letters/{letter['id']}/redrive", headers={**ops, "Idempotency-Key": "redrive-late"}
    )
    assert redriven.status_code == 200, redriven.text
    assert redriven.json()["redriven"] is True
    assert redriven.json()["dead_letter"]["redriven_at"] is not None
    assert (await client.get("/partners/late", headers=manager(settings))).json()["tier"] == "gold"

    replayed = await client.post(
        f"/dead-letters/{letter['id']}/redrive", headers={**ops, "Idempotency-Key": "redrive-late"}
    )
    assert (replayed.status_code, replayed.json()) == (200, redriven.json())
    again = await client.post(f"/dead-letters/{letter['id']}/redrive", headers=ops)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert (await client.get("/dead-letters?redriven=false", headers=ops)).json()["items"] == []
    assert [d["id"] for d in (await client.get("/dead-letters?redriven=true", headers=ops)).json()["items"]] == [
        letter["id"]
    ]

    missing = await client.post("/dead-letters/999999/redrive", headers=ops)
    assert missing.status_code == 404
    assert (await client.get("/dead-letters/999999", headers=ops)).status_code == 404
    applied = await fetch(settings, "SELECT count(*) AS n FROM consumed_events WHERE event_id = $1", late.id)
    assert applied[0]["n"] == 1  # applied once


async def test_redrive_all_and_pages(registration_settings, clock):
    settings = own_group(registration_settings)
    async with app_client(create_app(settings, clock=clock)) as client:
        await redrive_all_and_pages(client, settings)


async def redrive_all_and_pages(client, settings) -> None:  # type: ignore[no-untyped-def]
    ops = auth_header(settings, "ops:admin")
    events = [tier_event(p, "gold") for p in ("a1", "a2", "a3")]
    await consume(settings, events)
    first = (await client.get("/dead-letters?limit=2", headers=ops)).json()
    second = (await client.get(f"/dead-letters?limit=2&cursor={first['next_cursor']}", headers=ops)).json()
    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    assert second["next_cursor"] is None
    assert sorted(d["event_id"] for d in first["items"] + second["items"]) == sorted(e.id for e in events)

    await enroll(client, settings, "a1", "a3")
    outcome = await client.post("/dead-letters/redrive", headers=ops)
    assert outcome.status_code == 200, outcome.text
    assert outcome.json()["redriven"] == 2
    assert [d["event_id"] for d in outcome.json()["still_failing"]] == [events[1].id]
    nothing_left = await client.post("/dead-letters/redrive", headers=ops)
    assert (nothing_left.json()["redriven"], len(nothing_left.json()["still_failing"])) == (0, 1)


async def test_only_operators_reach_dead_letters(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    routes = [("GET", "/dead-letters"), ("GET", "/dead-letters/1"), ("POST", "/dead-letters/1/redrive")]
    routes.append(("POST", "/dead-letters/redrive"))
    for method, path in routes:
        for headers in (partner_token(settings, "late"), manager(settings), partner_bound_operator(settings)):
            response = await client.request(method, path, headers=headers)
            assert response.status_code == 403, (method, path, response.text)
    with pytest.raises(ValueError, match="never bound to a partner"):
        mint_token("secret", subject="x", scopes=["ops:admin"], partner_id="late")


async def test_a_dead_letter_id_beyond_bigint_is_a_422_not_a_500(registration_client, registration_settings):
    """Found by schemathesis (issue 13): ``POST /dead-letters/496600604897298476373628229255168/redrive``
    reached PostgreSQL and answered 500. Ids are bigint path segments; other text is no dead letter."""
    ops = auth_header(registration_settings, "ops:admin")
    huge = "496600604897298476373628229255168"
    for method, path in (("GET", f"/dead-letters/{huge}"), ("POST", f"/dead-letters/{huge}/redrive")):
        response = await registration_client.request(method, path, headers=ops)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert "dead_letter_id" in response.json()["detail"]
    refused = await registration_client.get("/dead-letters/redrive", headers=ops)
    assert refused.status_code == 405
    assert refused.headers["allow"] == "POST"
