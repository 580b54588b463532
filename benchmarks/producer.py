"""A producer process: writes benchmark events into a service's outbox (through servicekit's unit
of work, as the services do) or straight onto a Kafka topic. Prints one JSON line per phase.

    python -m benchmarks.producer outbox --database-url URL --topic T --partners N --events M
    python -m benchmarks.producer kafka --bootstrap B --topic T --partners N --deals-per-partner D
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Iterable, Iterator
from itertools import islice

import orjson
from aiokafka import AIOKafkaProducer
from incentive_contracts.payload import EventPayload
from incentive_contracts.registry import encode
from servicekit.db import create_engine
from servicekit.unit_of_work import UnitOfWorkFactory

from . import events

SOURCE = "/registration"


def _chunks(items: Iterable[EventPayload], size: int) -> Iterator[list[EventPayload]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _say(**fields: object) -> None:
    sys.stdout.write(orjson.dumps(fields).decode() + "\n")
    sys.stdout.flush()


async def to_outbox(args: argparse.Namespace) -> None:
    engine = create_engine(args.database_url, pool_size=2)
    factory = UnitOfWorkFactory(engine, source=SOURCE, topic=args.topic)

    async def write(phase: str, stream: Iterable[EventPayload]) -> None:
        first = last = 0.0
        count = 0
        for chunk in _chunks(stream, args.transaction_size):
            async with factory() as uow:
                for payload in chunk:
                    uow.publish(payload, time=events.event_time(payload))
                await uow.commit()
            last = time.time()
            first = first or last
            count += len(chunk)
        _say(phase=phase, events=count, first_commit=first, last_commit=last)

    try:
        if args.phase in ("enrol", "all"):
            await write("enrol", (events.enrolment(p) for p in range(args.partners)))
        if args.phase == "all":
            sys.stdin.readline()  # the orchestrator says go once the enrolments are projected
        if args.phase in ("deals", "all"):
            await write("deals", events.deal_stream(args.partners, args.events))
    finally:
        await engine.dispose()


async def to_kafka(args: argparse.Namespace) -> None:
    """Encoded CloudEvents with gap-free per-partner sequences, as the relay would publish them."""
    producer = AIOKafkaProducer(
        bootstrap_servers=args.bootstrap,
        acks="all",
        linger_ms=20,
        max_batch_size=512 * 1024,
        max_request_size=4 * 1024 * 1024,
    )
    await producer.start()
    sequences: dict[str, int] = {}
    started = time.time()
    count = 0
    pending = []

    def stream() -> Iterator[EventPayload]:
        for p in range(args.partners):
            yield events.enrolment(p)
        for d in range(args.deals_per_partner):
            for p in range(args.partners):
                yield from events.deal_events(p, d, lifecycle=False)

    try:
        for payload in stream():
            key = payload.partner_id
            sequences[key] = sequences.get(key, 0) + 1
            envelope = encode(payload, source=SOURCE, time=events.event_time(payload), sequence=sequences[key])
            pending.append(
                await producer.send(
                    args.topic,
                    value=envelope.to_json(),
                    key=key.encode(),
                    headers=[("content-type", b"application/cloudevents+json")],
                )
            )
            count += 1
            if len(pending) >= 20000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    _say(phase="kafka", events=count, first_commit=started, last_commit=time.time())


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    outbox = sub.add_parser("outbox")
    outbox.add_argument("--database-url", required=True)
    outbox.add_argument("--topic", required=True)
    outbox.add_argument("--partners", type=int, required=True)
    outbox.add_argument("--events", type=int, default=0)
    outbox.add_argument("--transaction-size", type=int, default=1000)
    outbox.add_argument("--phase", choices=["enrol", "deals", "all"], default="all")
    kafka = sub.add_parser("kafka")
    kafka.add_argument("--bootstrap", required=True)
    kafka.add_argument("--topic", required=True)
    kafka.add_argument("--partners", type=int, required=True)
    kafka.add_argument("--deals-per-partner", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(to_outbox(args) if args.mode == "outbox" else to_kafka(args))


if __name__ == "__main__":
    main()
