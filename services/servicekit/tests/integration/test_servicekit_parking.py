"""Parking in IdempotentConsumer, on a toy handler through the real broker and PostgreSQL: an event
whose partner is not known yet waits (durably, in its topic's order) and applies when the partner
arrives on another topic; a truly invalid one is dead-lettered; one that waits too long is
dead-lettered with what it waited for; a redelivery is applied once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from incentive_contracts.events.deal import DealWon
from incentive_contracts.events.partner import PartnerEnrolled, PartnerType
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload
from incentive_contracts.registry import encode
from servicekit.consumer import IdempotentConsumer, Inbound, Rejection, forget_offsets
from servicekit.db import create_engine, sync_url
from servicekit.kafka import ensure_topics, make_consumer
from servicekit.metrics import render_metrics
from servicekit.settings import ServiceSettings
from servicekit.testing.consumers import stop_and_leave
from servicekit.testing.databases import DatabaseFactory
from servicekit.unit_of_work import UnitOfWork, UnitOfWorkFactory
from servicekit_toy import toy_database
from sqlalchemy import text

TOY_TABLES = [
    "CREATE TABLE toy_partners (partner_id text PRIMARY KEY)",
    "CREATE TABLE toy_deals (n bigserial PRIMARY KEY, partner_id text NOT NULL, deal_id text NOT NULL)",
]


class ToyHandler:
    """Partners enrol on one topic; their deals (another topic) need the partner; a deal whose id
    starts with "bad" is invalid."""

    async def handle(self, uow: UnitOfWork, events: Sequence[Inbound]) -> Sequence[Rejection]:
        rejections: list[Rejection] = []
        for event in events:
            payload = event.payload
            if isinstance(payload, PartnerEnrolled):
                await uow.conn.execute(text("INSERT INTO toy_partners VALUES (:p)"), {"p": payload.partner_id})
            elif isinstance(payload, DealWon):
                known = await uow.conn.scalar(
                    text("SELECT count(*) FROM toy_partners WHERE partner_id = :p"), {"p": payload.partner_id}
                )
                if payload.deal_id.startswith("bad"):
                    rejections.append(Rejection(event, f"invalid deal {payload.deal_id}"))
                elif not known:
                    rejections.append(
                        Rejection(event, f"unknown partner {payload.partner_id}", f"partner:{payload.partner_id}")
                    )
                else:
                    await uow.conn.execute(
                        text("INSERT INTO toy_deals (partner_id, deal_id) VALUES (:p, :d)"),
                        {"p": payload.partner_id, "d": payload.deal_id},
                    )
        return rejections


def enrolled(partner: str) -> PartnerEnrolled:
    return PartnerEnrolled(
        partner_id=partner,
        name=partner,
        partner_type=PartnerType.RESELLER,
        region="EMEA",
        program_id="default",
        enrolled_on=date(2026, 1, 5),
    )


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


@dataclass
class Toy:
    settings: ServiceSettings
    db: asyncpg.Connection
    partners_topic: str
    deals_topic: str
    group: str

    async def publish(self, topic: str, events: list[EventPayload]) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.settings.kafka_bootstrap_servers)
        await producer.start()
        try:
            for payload in events:
                envelope = encode(payload, source="/toy", time=datetime(2026, 2, 1, tzinfo=UTC))
                await producer.send_and_wait(topic, envelope.to_json(), key=payload.partner_id.encode())
        finally:
            await producer.stop()

    @asynccontextmanager
    async def consumer(self, *, run: bool = True, **options: object) -> AsyncIterator[IdempotentConsumer]:
        """An IdempotentConsumer on the toy handler; its loop runs unless ``run`` is False."""
        engine = create_engine(self.settings.database_url, pool_size=2)
        consumer = IdempotentConsumer(
            make_consumer(self.settings, self.group),
            UnitOfWorkFactory(engine, source="/toy", topic=f"{self.group}.out"),
            ToyHandler(),
            group_id=self.group,
            topics=[self.partners_topic, self.deals_topic],
            dead_letter_topic=f"{self.group}.dead",
            **options,  # type: ignore[arg-type]
        )
        await consumer.consumer.start()
        task = asyncio.create_task(consumer.run() if run else asyncio.sleep(0))
        try:
            yield consumer
        finally:
            consumer.stop()
            await task
            await stop_and_leave(consumer.consumer)
            await engine.dispose()

    async def until(self, sql: str, expected: object, timeout: float = 30.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while (value := await self.db.fetchval(sql)) != expected:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{sql!r} is {value!r}, expected {expected!r}")
            await asyncio.sleep(0.05)

    async def deals(self) -> list[str]:
        return [r["deal_id"] for r in await self.db.fetch("SELECT deal_id FROM toy_deals ORDER BY n")]


@pytest.fixture
async def toy(database_factory: DatabaseFactory, kafka_bootstrap: str, topic_prefix: str) -> AsyncIterator[Toy]:
    settings = await toy_database(database_factory, kafka_bootstrap, "park", TOY_TABLES)
    partners, deals = f"{topic_prefix}toy.partners", f"{topic_prefix}toy.deals"
    await ensure_topics(settings, [partners, deals])
    db = await asyncpg.connect(sync_url(settings.database_url))
    try:
        yield Toy(settings, db, partners, deals, f"toy-{topic_prefix}")
    finally:
        await db.close()


PARKED = "SELECT count(*) FROM parked_events"


async def test_an_early_event_waits_in_order_and_applies_when_its_partner_arrives(toy: Toy) -> None:
    async with toy.consumer():
        await toy.publish(toy.partners_topic, [enrolled("known")])
        await toy.until("SELECT count(*) FROM toy_partners", 1)
        await toy.publish(
            toy.deals_topic,
            [won("early", "e-1"), won("early", "e-2"), won("early", "bad-3"), won("early", "e-4"), won("known", "k-1")],
        )
        await toy.until(PARKED, 4)
        # Another partner's deal does not wait; it may sit in the other partition, so wait for it.
        await toy.until("SELECT count(*) FROM toy_deals", 1)
        assert await toy.deals() == ["k-1"]
        assert await toy.db.fetchval(PARKED) == 4
        rows = await toy.db.fetch("SELECT waiting_for, reason FROM parked_events ORDER BY serial")
        assert {r["waiting_for"] for r in rows} == {"partner:early"}
        assert rows[0]["reason"] == "unknown partner early"
        assert "behind an earlier event waiting for partner:early" in rows[2]["reason"]  # bad-3
        assert await toy.db.fetchval("SELECT count(*) FROM dead_letters") == 0
        engine = create_engine(toy.settings.database_url, pool_size=1)
        metrics = (await render_metrics(engine, "toy")).decode()
        await engine.dispose()
        assert f'parked_events{{group="{toy.group}",service="toy"}} 4.0' in metrics
        assert "parked_events_oldest_age_seconds{" in metrics

        await toy.publish(toy.partners_topic, [enrolled("early")])
        await toy.until(PARKED, 0)
        assert await toy.deals() == ["k-1", "e-1", "e-2", "e-4"]  # in the topic's order
        dead = await toy.db.fetch("SELECT reason FROM dead_letters")
        assert [r["reason"] for r in dead] == ["invalid deal bad-3"]  # truly invalid: dead-lettered
        # The consumed-event log holds the parked events where they were applied: after the enrolment.
        order = await toy.db.fetch("SELECT event_type, subject FROM consumed_events ORDER BY consumed_seq")
        early = [r["event_type"] for r in order if r["subject"] == "early"]
        assert early == ["partner.enrolled", "deal.won", "deal.won", "deal.won"]


async def test_a_redelivered_parked_event_is_parked_and_applied_once(toy: Toy) -> None:
    await toy.publish(toy.deals_topic, [won("late", "l-1"), won("late", "l-2")])
    async with toy.consumer():
        await toy.until(PARKED, 2)
    engine = create_engine(toy.settings.database_url, pool_size=1)
    await forget_offsets(engine, toy.group)
    await engine.dispose()
    async with toy.consumer() as consumer:  # reads both topics again from the start
        await toy.until("SELECT sum(next_offset) FROM consumer_offsets", 2)
        assert await toy.db.fetchval(PARKED) == 2
        await toy.publish(toy.partners_topic, [enrolled("late")])
        await toy.until(PARKED, 0)
        await asyncio.sleep(0.5)
        assert consumer.applied >= 2
    assert await toy.deals() == ["l-1", "l-2"]


async def test_an_event_parked_too_long_is_dead_lettered_with_what_it_waited_for(toy: Toy) -> None:
    await toy.publish(toy.deals_topic, [won("ghost", "g-1"), won("ghost", "g-2")])
    async with toy.consumer(park_retry_seconds=0.3) as consumer:
        await toy.until(PARKED, 2)
        await toy.db.execute(
            "UPDATE parked_events SET parked_at = now() - interval '8 days' WHERE event_id IS NOT NULL"
        )
        await toy.until(PARKED, 0)  # the periodic sweep dead-letters them (default timeout: 7 days)
        assert consumer.park_retry_seconds == 0.3
    dead = await toy.db.fetch("SELECT reason, topic FROM dead_letters ORDER BY id")
    assert len(dead) == 2
    assert dead[0]["reason"].startswith("waited 8 days, 0:00:0")
    assert "for partner:ghost (timeout 7 days, 0:00:00): unknown partner ghost" in dead[0]["reason"]
    assert {r["topic"] for r in dead} == {toy.deals_topic}
    # Re-driven while the partner is still unknown, they wait again; too long again, they are dead again.
    async with toy.consumer(run=False) as consumer:
        assert await consumer.redrive() == (2, 0)
        assert await toy.db.fetchval(PARKED) == 2
        await toy.db.execute("UPDATE parked_events SET parked_at = now() - interval '8 days'")
        assert await consumer.sweep_parked() == (0, 2)
    assert await toy.db.fetchval("SELECT count(*) FROM dead_letters WHERE redriven_at IS NULL") == 2
    # Out of the inbox: once the partner is known, a re-drive applies them (once).
    await toy.publish(toy.partners_topic, [enrolled("ghost")])
    async with toy.consumer(park_retry_seconds=0.3) as consumer:
        await toy.until("SELECT count(*) FROM toy_partners", 1)
        assert await consumer.redrive() == (2, 0)
        assert await consumer.redrive() == (0, 0)
    assert await toy.deals() == ["g-1", "g-2"]


async def test_events_that_arrive_with_their_partners_enrolment_in_one_batch_apply_in_that_batch(toy: Toy) -> None:
    # Both topics are read in one fetch; the deals topic sorts first, so the deals meet an unknown
    # partner, park, and are applied in the same transaction once the enrolment is.
    await toy.publish(toy.deals_topic, [won("same", "s-1"), won("same", "s-2")])
    await toy.publish(toy.partners_topic, [enrolled("same")])
    async with toy.consumer():
        await toy.until("SELECT count(*) FROM toy_deals", 2)
    assert await toy.deals() == ["s-1", "s-2"]
    assert await toy.db.fetchval(PARKED) == 0
    order = await toy.db.fetch("SELECT event_type FROM consumed_events ORDER BY consumed_seq")
    assert [r["event_type"] for r in order] == ["partner.enrolled", "deal.won", "deal.won"]


async def test_a_redelivered_copy_of_a_dead_lettered_event_waits_for_the_redrive(toy: Toy) -> None:
    # The flake this guards against: a consumer re-read its partition from the start (its first
    # assignment's seek raced the first batch), so an event just dead-lettered after waiting too long
    # parked again, and its partner's enrolment parked behind it for another week.
    await toy.publish(toy.deals_topic, [won("lost", "x-1")])
    async with toy.consumer(park_retry_seconds=0.3):
        await toy.until(PARKED, 1)
        await toy.db.execute("UPDATE parked_events SET parked_at = now() - interval '8 days'")
        await toy.until("SELECT count(*) FROM dead_letters", 1)
    engine = create_engine(toy.settings.database_url, pool_size=1)
    await forget_offsets(engine, toy.group)
    await engine.dispose()
    await toy.publish(toy.partners_topic, [enrolled("lost")])
    async with toy.consumer() as consumer:  # reads both topics again from the start
        await toy.until("SELECT count(*) FROM toy_partners", 1)
        assert await toy.db.fetchval(PARKED) == 0  # the copy was not parked again
        assert await toy.deals() == []  # nor applied behind the dead letter's back
        assert await consumer.redrive() == (1, 0)
    assert await toy.deals() == ["x-1"]
    assert await toy.db.fetchval("SELECT count(*) FROM dead_letters WHERE redriven_at IS NULL") == 0
