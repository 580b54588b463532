"""A broker that lost its data is recovered from the outboxes; the ledger applies each event once."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import pytest
from servicekit.consumer import forget_offsets
from servicekit.db import create_engine, sync_url
from servicekit.embedded import EmbeddedBroker
from servicekit.kafka import ensure_topics
from servicekit.relay import republish
from servicekit.runner import all_topics

from .outbox_events import enrolled, won, write_to_outbox
from .workers import eventually, projector_task, relay_task

pytestmark = pytest.mark.xdist_group("broker-restart")


@pytest.fixture
def own_broker(tmp_path):
    broker = EmbeddedBroker(log_path=tmp_path / "broker.log")
    broker.start()
    yield broker
    broker.stop()


async def test_restarted_empty_broker_is_refilled_from_the_outbox(own_broker, registration_settings, ledger_settings):
    registration_settings = registration_settings.model_copy(update={"kafka_bootstrap_servers": own_broker.bootstrap})
    ledger_settings = ledger_settings.model_copy(update={"kafka_bootstrap_servers": own_broker.bootstrap})
    partners = [f"p{i}" for i in range(10)]
    first = [enrolled(p) for p in partners] + [
        won(p, f"{p}-a{j}", Decimal("100.00")) for p in partners for j in range(19)
    ]
    later = [won(p, f"{p}-b{j}", Decimal("200.00")) for p in partners for j in range(10)]
    ledger = await asyncpg.connect(sync_url(ledger_settings.database_url))
    try:

        async def consumed(n: int):
            async def check():
                return await ledger.fetchval("SELECT count(*) FROM consumed_events") >= n

            return check

        async with relay_task(registration_settings, "registration"):
            async with projector_task(ledger_settings):
                await write_to_outbox(registration_settings, first)
                await eventually(await consumed(len(first)), timeout=60)

            # The runbook's recovery: the broker comes back empty; create the topics, re-publish
            # every outbox row, forget the consumers' offsets, start the consumers again.
            own_broker.restart()
            await ensure_topics(registration_settings, all_topics(registration_settings.topic_prefix))
            registration_db = create_engine(registration_settings.database_url, pool_size=1)
            ledger_db = create_engine(ledger_settings.database_url, pool_size=1)
            try:
                assert await republish(registration_db) == len(first)
                assert await forget_offsets(ledger_db) > 0
            finally:
                await registration_db.dispose()
                await ledger_db.dispose()
            await write_to_outbox(registration_settings, later)
            async with projector_task(ledger_settings):
                await eventually(await consumed(len(first) + len(later)), timeout=90)

        assert await ledger.fetchval("SELECT count(*) FROM consumed_events") == len(first) + len(later)
        assert await ledger.fetchval("SELECT count(*) FROM dead_letters") == 0
        assert await ledger.fetchval("SELECT count(*) FROM journal_entries WHERE kind = 'rebate'") == 290
        assert (
            await ledger.fetchval("SELECT count(DISTINCT caused_by) FROM journal_entries WHERE kind = 'rebate'") == 290
        )
        # Default program, tier "registered": 5 % of 100.00 nineteen times and of 200.00 ten times.
        owed = await ledger.fetch(
            "SELECT partner_id, -balance AS owed FROM balances WHERE account LIKE '%:rebates_payable'"
        )
        assert {r["partner_id"]: r["owed"] for r in owed} == {p: Decimal("195.00") for p in partners}
    finally:
        await ledger.close()
