"""What operators read from any service, on the toy service: /healthz, /readyz naming what is not
reachable (503), and /metrics computed from the database (relay lag, consumer lag, events applied,
dead letters not re-driven, parked events), so every replica answers the same."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
from prometheus_client.parser import text_string_to_metric_families
from servicekit.app import create_service_app
from servicekit.container import RuntimeOnly
from servicekit.settings import ServiceSettings
from servicekit.testing.client import app_client
from servicekit_toy import Kit, won

WHEN = datetime(2026, 2, 1, tzinfo=UTC)


@asynccontextmanager
async def toy_app(settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(
        RuntimeOnly.of(settings, service="toy", source="/toy", topic="toy.out"), title="toy", routers=[]
    )
    async with app_client(app) as client:
        yield client


def samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text page, by name and sorted labels."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


async def test_ready_when_the_database_and_the_broker_answer(kit: Kit) -> None:
    async with toy_app(kit.settings) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
        assert (ready.status_code, ready.json()) == (
            200,
            {"status": "ready", "checks": {"database": "ok", "broker": "ok"}},
        )


async def test_not_ready_names_what_does_not_answer(kit: Kit) -> None:
    nowhere = kit.settings.model_copy(
        update={"kafka_bootstrap_servers": "127.0.0.1:1", "database_url": "postgresql://postgres@127.0.0.1:1/none"}
    )
    async with toy_app(nowhere) as client:
        assert (await client.get("/healthz")).status_code == 200  # alive all the same: no restart loop
        answer = await client.get("/readyz")
        assert answer.status_code == 503
        body = answer.json()
        assert body["status"] == "not ready"
        assert body["checks"]["database"] != "ok"
        assert body["checks"]["broker"] != "ok"


async def test_metrics_come_from_the_database(kit: Kit) -> None:
    async with kit.uow_factory() as uow:
        for n in range(3):
            uow.publish(won("p-1", f"d-{n}"), time=WHEN)
        await uow.commit()
    await kit.db.execute(
        "INSERT INTO consumer_offsets (consumer_group, topic, partition, next_offset, high_watermark, applied_count)"
        " VALUES ('g', 'toy', 0, 7, 10, 5), ('g', 'toy', 1, 4, 4, 3), ('h', 'toy', 0, 2, 1, 2)"
    )
    await kit.db.execute(
        'INSERT INTO dead_letters (consumer_group, topic, partition, "offset", reason, payload, redriven_at)'
        " VALUES ('g', 'toy', 0, 1, 'x', ''::bytea, NULL), ('g', 'toy', 0, 2, 'y', ''::bytea, now())"
    )
    await kit.db.execute(
        'INSERT INTO parked_events (consumer_group, event_id, topic, partition, "offset", subject, waiting_for,'
        " reason, payload, parked_at) VALUES ('g', gen_random_uuid(), 'toy', 0, 3, 'p-1', 'partner:p-1', 'r',"
        " ''::bytea, now() - interval '90 seconds')"
    )
    async with toy_app(kit.settings) as client:
        page = await client.get("/metrics")
    assert page.headers["content-type"].startswith("text/plain")
    found = samples(page.text)
    toy = (("service", "toy"),)
    assert found[("outbox_unpublished_events", toy)] == 3
    assert found[("outbox_oldest_unpublished_age_seconds", toy)] >= 0
    lag = {labels: v for (name, labels), v in found.items() if name == "consumer_lag_events"}
    assert sorted((dict(k)["group"], dict(k)["partition"], v) for k, v in lag.items()) == [
        ("g", "0", 3),
        ("g", "1", 0),
        ("h", "0", 0),  # a watermark behind the stored offset is no lag, never a negative one
    ]
    assert found[("events_applied_total", (("group", "g"), ("service", "toy")))] == 8
    assert found[("dead_letters_total", (("group", "g"), ("service", "toy")))] == 1  # the re-driven one is not
    assert found[("parked_events", (("group", "g"), ("service", "toy")))] == 1
    assert found[("parked_events_oldest_age_seconds", (("group", "g"), ("service", "toy")))] >= 90
