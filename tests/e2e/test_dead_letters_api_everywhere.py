"""Every service mounts /dead-letters (servicekit's router, with its own consumer): a malformed record
dead-lettered by the ledger's projector is listed with topic, partition and offset over the ledger's
API; registration, mdf and insights answer the same routes; partner tokens never reach them."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from incentive_contracts import topics
from insights.entrypoints.api import create_app as insights_app
from ledger.entrypoints.api import create_app as ledger_app
from mdf.config import MdfSettings
from mdf.entrypoints.api import create_app as mdf_app
from registration.entrypoints.api import create_app as registration_app
from servicekit.testing.client import app_client, auth_header
from servicekit.testing.databases import DatabaseFactory

from .workers import eventually, projector_task

MDF_INI = Path(__file__).resolve().parents[2] / "services/mdf/alembic.ini"


@pytest.fixture
def mdf_settings(database_factory: DatabaseFactory, topic_prefix: str) -> MdfSettings:
    return MdfSettings(
        environment="test", database_url=database_factory.create(MDF_INI, prefix="mdf"), topic_prefix=topic_prefix
    )


async def test_each_service_serves_its_dead_letters_to_operators_only(
    registration_settings, ledger_settings, mdf_settings, insights_settings
):
    apps = [
        (registration_app(registration_settings), registration_settings),
        (mdf_app(mdf_settings), mdf_settings),
        (ledger_app(ledger_settings), ledger_settings),
        (insights_app(insights_settings), insights_settings),
    ]
    for app, settings in apps:
        ops = auth_header(settings, "ops:admin")
        partner = auth_header(settings, "partner:read", "partner:write", partner_id="acme")
        async with app_client(app) as client:
            listed = await client.get("/dead-letters", headers=ops)
            assert (listed.status_code, listed.json()) == (200, {"items": [], "next_cursor": None}), listed.text
            assert (await client.post("/dead-letters/1/redrive", headers=ops)).status_code == 404
            everything = await client.post("/dead-letters/redrive", headers=ops)
            assert (everything.status_code, everything.json()) == (200, {"redriven": 0, "still_failing": []})
            for method, path in [
                ("GET", "/dead-letters"),
                ("GET", "/dead-letters/1"),
                ("POST", "/dead-letters/redrive"),
            ]:
                assert (await client.request(method, path, headers=partner)).status_code == 403


async def test_a_record_the_projector_dead_lettered_is_listed_and_stays_when_it_still_fails(ledger_settings):
    topic = topics.prefixed(topics.REGISTRATION, ledger_settings.topic_prefix)
    ops = auth_header(ledger_settings, "ops:admin")
    async with app_client(ledger_app(ledger_settings)) as led, projector_task(ledger_settings):
        producer = AIOKafkaProducer(bootstrap_servers=ledger_settings.kafka_bootstrap_servers)
        await producer.start()
        try:
            sent = await producer.send_and_wait(topic, b"{not json", key=b"acme")
        finally:
            await producer.stop()

        async def listed():
            items = (await led.get("/dead-letters", headers=ops)).json()["items"]
            return items or None

        [letter] = await eventually(listed)
    assert (letter["topic"], letter["partition"], letter["offset"]) == (topic, sent.partition, sent.offset)
    assert letter["consumer_group"] == ledger_settings.consumer_group
    assert letter["event_id"] is None
    assert letter["reason"]
    async with app_client(ledger_app(ledger_settings)) as led:
        outcome = await led.post(f"/dead-letters/{letter['id']}/redrive", headers=ops)
        assert outcome.status_code == 200, outcome.text
        assert outcome.json()["redriven"] is False
        assert outcome.json()["dead_letter"]["redriven_at"] is None
