"""A toy service for servicekit's own integration tests: a database with the runtime tables and two
toy tables, a handler that records won deals per consumer group (a deal whose id starts with "bad"
is refused until the deal is listed in ``toy_fixed``), event builders and bounded waits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import APIRouter
from incentive_contracts.envelope import CloudEvent
from incentive_contracts.events.deal import DealWon
from incentive_contracts.money import Money
from incentive_contracts.registry import encode
from servicekit.app import create_service_app
from servicekit.consumer import IdempotentConsumer, Inbound, Rejection
from servicekit.container import RuntimeOnly
from servicekit.db import create_engine, sync_url
from servicekit.kafka import make_consumer
from servicekit.settings import ServiceSettings
from servicekit.tables import create_parking_tables, create_runtime_tables
from servicekit.testing.client import app_client
from servicekit.testing.consumers import TEST_CONSUMERS, in_background
from servicekit.testing.databases import DatabaseFactory
from servicekit.unit_of_work import UnitOfWork, UnitOfWorkFactory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

TOY_TABLES = [
    "CREATE TABLE toy_deals (n bigserial PRIMARY KEY, consumer_group text NOT NULL, deal_id text NOT NULL)",
    "CREATE TABLE toy_fixed (deal_id text PRIMARY KEY)",
    "CREATE TABLE toy_items (n bigserial PRIMARY KEY, name text NOT NULL)",
    "CREATE TABLE toy_batches (n bigserial PRIMARY KEY, worker text NOT NULL)",
]
WAIT_SECONDS = 30.0  # every wait is bounded: a failure says what it waited for instead of hanging


def won(partner: str, deal: str) -> DealWon:
    return DealWon(
        partner_id=partner,
        deal_id=deal,
        product_line="cloud",
        amount=Money(amount=Decimal("100.00"), currency="USD"),
        closed_on=date(2026, 2, 1),
        registered=True,
        influence=[],
    )


def envelope(partner: str, deal: str) -> CloudEvent:
    return encode(won(partner, deal), source="/toy", time=datetime(2026, 2, 1, tzinfo=UTC))


class ToyHandler:
    def __init__(self, group: str) -> None:
        self.group = group

    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        rejections: list[Rejection] = []
        for event in events:
            payload = event.payload
            assert isinstance(payload, DealWon)
            if payload.deal_id.startswith("bad"):
                fixed = await uow.conn.scalar(
                    text("SELECT count(*) FROM toy_fixed WHERE deal_id = :d"), {"d": payload.deal_id}
                )
                if not fixed:
                    rejections.append(Rejection(event, f"invalid deal {payload.deal_id}"))
                    continue
            await uow.conn.execute(
                text("INSERT INTO toy_deals (consumer_group, deal_id) VALUES (:g, :d)"),
                {"g": self.group, "d": payload.deal_id},
            )
        return rejections


@dataclass
class Kit:
    settings: ServiceSettings
    db: asyncpg.Connection
    engine: AsyncEngine
    topic: str

    @property
    def uow_factory(self) -> UnitOfWorkFactory:
        return UnitOfWorkFactory(self.engine, source="/toy", topic=self.topic)

    async def send(self, events: Sequence[CloudEvent]) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.settings.kafka_bootstrap_servers)
        await producer.start()
        try:
            for event in events:
                await producer.send_and_wait(self.topic, event.to_json(), key=event.subject.encode())
        finally:
            await producer.stop()

    def idle_consumer(self, group: str) -> IdempotentConsumer:
        """A consumer object whose Kafka side never starts (for re-drives and sweeps)."""
        return IdempotentConsumer(
            make_consumer(self.settings, group),
            self.uow_factory,
            ToyHandler(group),
            group_id=group,
            topics=[self.topic],
            dead_letter_topic=f"{self.topic}.dead",
        )

    @asynccontextmanager
    async def consuming(self, group: str) -> AsyncIterator[IdempotentConsumer]:
        """An IdempotentConsumer of the toy topic running in the background."""
        consumer = IdempotentConsumer(
            make_consumer(self.settings, group),
            self.uow_factory,
            ToyHandler(group),
            group_id=group,
            topics=[self.topic],
            dead_letter_topic=f"{self.topic}.dead",
        )
        async with in_background(consumer):
            yield consumer

    @asynccontextmanager
    async def client(self, routers: Sequence[APIRouter]) -> AsyncIterator[httpx.AsyncClient]:
        """An HTTP client of a toy service app (servicekit's middleware and handlers) serving ``routers``."""
        app = create_service_app(
            RuntimeOnly.of(self.settings, service="toy", source="/toy", topic=self.topic),
            title="toy",
            routers=list(routers),
        )
        async with app_client(app) as http:
            yield http

    async def until(self, sql: str, expected: object, *args: object) -> None:
        await until(lambda: self.db.fetchval(sql, *args), expected, sql)

    async def deals(self, group: str) -> list[str]:
        rows = await self.db.fetch("SELECT deal_id FROM toy_deals WHERE consumer_group = $1 ORDER BY n", group)
        return [r["deal_id"] for r in rows]


async def until(read: Callable[[], Awaitable[object]], expected: object, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_SECONDS
    while (value := await read()) != expected:
        if loop.time() > deadline:
            raise AssertionError(f"{what} is {value!r}, expected {expected!r}")
        await asyncio.sleep(0.1)


async def read_topic(settings: ServiceSettings, topic: str, count: int) -> list[tuple[str, CloudEvent]]:
    """The first ``count`` records of a topic (every partition, from the start) as (key, event)."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=settings.kafka_bootstrap_servers, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    records: list[tuple[str, CloudEvent]] = []
    try:
        deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
        while len(records) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{topic} has {len(records)} records, expected {count}")
            batches = await consumer.getmany(timeout_ms=200)
            for tp in sorted(batches, key=lambda t: t.partition):
                records.extend((r.key.decode(), CloudEvent.from_json(r.value)) for r in batches[tp])  # type: ignore[union-attr,arg-type]
    finally:
        await consumer.stop()
    return records


async def toy_database(
    database_factory: DatabaseFactory, kafka_bootstrap: str, prefix: str, tables: Sequence[str]
) -> ServiceSettings:
    """Settings on a new database holding servicekit's runtime and parking tables and a toy's own."""
    settings = ServiceSettings(
        environment="test",
        database_url=database_factory.empty(prefix),
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_partitions=2,
        **TEST_CONSUMERS,
    )
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(create_runtime_tables)
            await conn.run_sync(create_parking_tables)
            for ddl in tables:
                await conn.execute(text(ddl))
    finally:
        await engine.dispose()
    return settings


@asynccontextmanager
async def toy_kit(database_factory: DatabaseFactory, kafka_bootstrap: str, topic: str) -> AsyncIterator[Kit]:
    settings = await toy_database(database_factory, kafka_bootstrap, "kit", TOY_TABLES)
    engine = create_engine(settings.database_url, pool_size=4)
    db = await asyncpg.connect(sync_url(settings.database_url))
    try:
        yield Kit(settings, db, engine, topic)
    finally:
        await db.close()
        await engine.dispose()
