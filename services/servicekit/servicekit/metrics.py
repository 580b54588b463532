"""Prometheus metrics derived from the database at scrape time, so they are true across processes.

Relay lag (unpublished outbox rows and the age of the oldest), consumer lag per partition (high
watermark minus stored offset), events applied, dead letters, parked events (and the oldest's age).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Gauge, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# A service's own gauges, read from its database at scrape time (a container's ``extra_metrics``).
ExtraMetrics = Callable[[AsyncConnection, CollectorRegistry], Awaitable[None]]


async def render_metrics(engine: AsyncEngine, service: str, extra: ExtraMetrics | None = None) -> bytes:
    registry = CollectorRegistry()
    async with engine.connect() as conn:
        await _relay(conn, registry, service)
        await _consumers(conn, registry, service)
        await _dead_and_parked(conn, registry, service)
        if extra is not None:
            await extra(conn, registry)
    return generate_latest(registry)


async def _relay(conn: AsyncConnection, registry: CollectorRegistry, service: str) -> None:
    relay_lag = Gauge(
        "outbox_unpublished_events", "Outbox rows not yet published (relay lag)", ["service"], registry=registry
    )
    relay_age = Gauge(
        "outbox_oldest_unpublished_age_seconds",
        "Age of the oldest unpublished outbox row",
        ["service"],
        registry=registry,
    )
    row = (
        await conn.execute(
            text(
                "SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(created_at)), 0) AS age "
                "FROM outbox WHERE published_at IS NULL"
            )
        )
    ).one()
    relay_lag.labels(service).set(row.n)
    relay_age.labels(service).set(float(row.age))


async def _consumers(conn: AsyncConnection, registry: CollectorRegistry, service: str) -> None:
    consumer_lag = Gauge(
        "consumer_lag_events",
        "High watermark minus the stored offset",
        ["service", "group", "topic", "partition"],
        registry=registry,
    )
    applied = Gauge(
        "events_applied_total", "Events applied by the consumer group", ["service", "group"], registry=registry
    )
    offsets = (
        await conn.execute(
            text(
                "SELECT consumer_group, topic, partition, next_offset, high_watermark, applied_count"
                " FROM consumer_offsets"
            )
        )
    ).all()
    totals: dict[str, int] = {}
    for r in offsets:
        consumer_lag.labels(service, r.consumer_group, r.topic, str(r.partition)).set(
            max(0, r.high_watermark - r.next_offset)
        )
        totals[r.consumer_group] = totals.get(r.consumer_group, 0) + r.applied_count
    for group, total in totals.items():
        applied.labels(service, group).set(total)


async def _dead_and_parked(conn: AsyncConnection, registry: CollectorRegistry, service: str) -> None:
    dead = Gauge(
        "dead_letters_total", "Events dead-lettered and not yet re-driven", ["service", "group"], registry=registry
    )
    parked = Gauge("parked_events", "Events waiting for what they depend on", ["service", "group"], registry=registry)
    parked_age = Gauge(
        "parked_events_oldest_age_seconds",
        "How long the oldest parked event has waited",
        ["service", "group"],
        registry=registry,
    )
    for r in (
        await conn.execute(
            text("SELECT consumer_group, count(*) AS n FROM dead_letters WHERE redriven_at IS NULL GROUP BY 1")
        )
    ).all():
        dead.labels(service, r.consumer_group).set(r.n)
    for r in (
        await conn.execute(
            text(
                "SELECT consumer_group, count(*) AS n, extract(epoch FROM now() - min(parked_at)) AS age"
                " FROM parked_events GROUP BY 1"
            )
        )
    ).all():
        parked.labels(service, r.consumer_group).set(r.n)
        parked_age.labels(service, r.consumer_group).set(float(r.age))
