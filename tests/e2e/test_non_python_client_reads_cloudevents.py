"""Non-Python Kafka clients read the topics and see valid CloudEvents JSON.

KafkaJS (Node.js) runs against every broker. Debian's kcat (librdkafka 2.0.2) cannot complete the
ApiVersions handshake with the embedded Tansu 0.6.0 broker ("Read underflow"), so the kcat check
runs when TEST_KAFKA_BOOTSTRAP_SERVERS names a real Apache Kafka.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import orjson
import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_structured
from cloudevents.core.formats.json import JSONFormat
from incentive_contracts import topics
from incentive_contracts.envelope import CloudEvent
from incentive_contracts.registry import decode

from .outbox_events import enrolled, won, write_to_outbox
from .workers import relay_task

KAFKAJS_DIR = Path(__file__).parent / "nonpython"


def _kafkajs(bootstrap: str, topic: str, expected: int) -> list[dict]:
    node = shutil.which("node")
    assert node, "Node.js is needed for the KafkaJS check"
    assert (KAFKAJS_DIR / "node_modules" / "kafkajs").exists(), (
        "run `make test` (it runs npm ci in tests/e2e/nonpython)"
    )
    out = subprocess.run(
        [node, str(KAFKAJS_DIR / "read_topic.js"), bootstrap, topic, str(expected)],
        capture_output=True,
        timeout=60,
        check=True,
    )
    return [
        {"key": r["key"], "headers": r["headers"], "payload": r["value"]}
        for r in (orjson.loads(line) for line in out.stdout.splitlines() if line.strip())
    ]


def _kcat(bootstrap: str, topic: str, expected: int) -> list[dict]:
    kcat = shutil.which("kcat")
    assert kcat, "kcat is not installed (apt-get install kcat)"
    out = subprocess.run(
        [kcat, "-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-J", "-q"],
        capture_output=True,
        timeout=60,
        check=True,
    )
    records = [orjson.loads(line) for line in out.stdout.splitlines() if line.strip()]
    return [
        {
            "key": r["key"],
            "headers": dict(zip(r["headers"][::2], r["headers"][1::2], strict=True)),
            "payload": r["payload"],
        }
        for r in records
    ]


CLIENTS = [
    pytest.param(_kafkajs, id="kafkajs"),
    pytest.param(
        _kcat,
        id="kcat",
        marks=pytest.mark.skipif(
            not os.environ.get("TEST_KAFKA_BOOTSTRAP_SERVERS"),
            reason="kcat/librdkafka 2.0.2 cannot handshake with the embedded Tansu broker",
        ),
    ),
]


@pytest.mark.parametrize("read", CLIENTS)
async def test_non_python_client_sees_valid_cloudevents(read, registration_settings):
    sent = await write_to_outbox(registration_settings, [enrolled("acme"), won("acme", "d1", Decimal("10.00"))])
    topic = topics.prefixed(topics.REGISTRATION, registration_settings.topic_prefix)
    async with relay_task(registration_settings, "registration") as relay:
        for _ in range(100):
            if relay.stats.published >= len(sent):
                break
            await asyncio.sleep(0.1)
    records = await asyncio.to_thread(read, registration_settings.kafka_bootstrap_servers, topic, len(sent))
    assert sorted(CloudEvent.from_json(r["payload"]).id for r in records) == sorted(sent)
    for record in records:
        envelope = CloudEvent.from_json(record["payload"])
        assert record["key"] == envelope.partitionkey == "acme"
        assert decode(envelope).partner_id == "acme"
        assert record["headers"]["content-type"] == "application/cloudevents+json"
        parsed = from_structured(
            KafkaMessage(
                headers={"content-type": b"application/cloudevents+json"},
                key=record["key"].encode(),
                value=record["payload"].encode(),
            ),
            JSONFormat(),
        )
        assert (parsed.get_id(), parsed.get_type(), parsed.get_source()) == (
            envelope.id,
            envelope.type,
            envelope.source,
        )
