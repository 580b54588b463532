"""Insights end to end: a book of events goes through the real Kafka-protocol broker on the topics the
producers use, the insights consumer builds its read models, and the indicator API answers the figures
computed independently from the same events (tests/e2e/insights_expected.py). Then the read models are
rebuilt from offset 0 (``insights rebuild``'s reset, the consumer again) and every answer is the same."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

import asyncpg
import httpx
from incentive_contracts import topics
from incentive_contracts.payload import EventPayload
from incentive_contracts.producers import source_for
from incentive_contracts.registry import encode
from insights.adapters.rebuild import reset_read_models
from insights.config import InsightsSettings
from insights.domain.periods import periods_between
from insights.entrypoints.api import create_app
from insights.entrypoints.consumer import READ_MODELS
from servicekit.db import create_engine, sync_url
from servicekit.kafka import ensure_topics, make_producer
from servicekit.runner import all_topics
from servicekit.testing.client import app_client, auth_header

from .insights_book import END, START, build_book
from .insights_expected import expected, observed
from .stack import BusinessClock
from .workers import consumer_task, eventually


async def publish(settings: InsightsSettings, payloads: Sequence[EventPayload]) -> None:
    """As the producers' relays do: a CloudEvent keyed by partner on the producer's topic."""
    await ensure_topics(settings, all_topics(settings.topic_prefix))
    producer = make_producer(settings)
    await producer.start()
    try:
        for sequence, payload in enumerate(payloads, start=1):
            source = source_for(payload.event_type)
            envelope = encode(payload, source=source, time=datetime.combine(START, time(), UTC), sequence=sequence)
            topic = topics.topic_for_source(source, settings.topic_prefix)
            await producer.send(topic, value=envelope.to_json(), key=payload.subject.encode())
        await producer.flush()
    finally:
        await producer.stop()


async def applied(settings: InsightsSettings, count: int) -> bool:
    conn = await asyncpg.connect(sync_url(settings.database_url))
    try:
        consumed = await conn.fetchval(
            "SELECT count(*) FROM consumed_events WHERE consumer_group = $1", settings.consumer_group
        )
        parked = await conn.fetchval("SELECT count(*) FROM parked_events")
        return bool(consumed == count and parked == 0)
    finally:
        await conn.close()


async def answers(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    """Every view the test compares: the book's quarters, one partner's months, cohorts, partners."""
    window = {"since": START.isoformat(), "until": END.isoformat(), "limit": 50}
    views = {
        "quarters": ("/indicators", {**window, "granularity": "quarter"}),
        "partner months": ("/indicators", {**window, "granularity": "month", "dimension": "partner", "value": "ip04"}),
        "gold quarters": ("/indicators", {**window, "dimension": "tier", "value": "gold"}),
        "pilot": ("/cohorts", {"by": "pilot", "period": "2026-Q1"}),
        "tiers": ("/cohorts", {"by": "tier", "period": "2025-Q4"}),
        "partners": ("/partners", {}),
        "pipeline": ("/partners/ip04/pipeline", {}),
    }
    out = {}
    for name, (path, params) in views.items():
        response = await client.get(path, params=params, headers=headers)
        assert response.status_code == 200, response.text
        out[name] = response.json()
    return out


async def test_indicators_from_kafka_match_the_events_and_survive_a_rebuild(
    insights_settings: InsightsSettings,
) -> None:
    book = build_book()
    payloads = book.ordered()
    gold = {p.partner_id for p in payloads if getattr(p, "tier", None) == "gold"}
    everyone = {p.partner_id for p in payloads}
    staff = auth_header(insights_settings, "insights:read")
    app = create_app(insights_settings, clock=BusinessClock(date(2026, 6, 30)))
    async with app_client(app) as client:
        async with consumer_task(insights_settings, READ_MODELS):
            await publish(insights_settings, payloads)
            await eventually(lambda: applied(insights_settings, len(payloads)), timeout=45)
        first = await answers(client, staff)

        quarters = periods_between(START, END, "quarter")
        assert [q["period"] for q in first["quarters"]["items"]] == [q.key for q in quarters]
        for period, item in zip(quarters, first["quarters"]["items"], strict=True):
            assert observed(item) == expected(payloads, period.start, period.end, everyone), period.key
        for period, item in zip(quarters, first["gold quarters"]["items"], strict=True):
            assert observed(item) == expected(payloads, period.start, period.end, gold), period.key
        months = periods_between(START, END, "month")
        for period, item in zip(months, first["partner months"]["items"], strict=True):
            assert observed(item) == expected(payloads, period.start, period.end, {"ip04"}), period.key
        assert sum(q["registrations"]["count"] for q in first["quarters"]["items"]) == 60  # 10 partners x 6 deals
        arms = {c["cohort"]: c["partners"] for c in first["pilot"]["items"]}
        assert arms == {"control:core": 7, "variant:core-pilot": 3}

        engine = create_engine(insights_settings.database_url, pool_size=1)
        try:
            assert await reset_read_models(engine, insights_settings.consumer_group) == len(payloads)
        finally:
            await engine.dispose()
        emptied = await client.get("/partners", headers=staff)
        assert emptied.json()["items"] == []
        async with consumer_task(insights_settings, READ_MODELS):
            await eventually(lambda: applied(insights_settings, len(payloads)), timeout=45)
        assert await answers(client, staff) == first
