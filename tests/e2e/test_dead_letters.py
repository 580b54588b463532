"""Poison events go to dead letters without stopping other partners; an event of a partner the
ledger does not know yet waits (parked) and is dead-lettered only after the park timeout; re-driven
once after a fix."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import orjson
from aiokafka import AIOKafkaProducer
from incentive_contracts import topics
from ledger.entrypoints.projector import PROJECTOR
from servicekit.db import sync_url
from servicekit.runner import redrive

from .outbox_events import enrolled, won, write_to_outbox
from .workers import eventually, projector_task, relay_task


async def test_poison_is_parked_and_redriven_exactly_once(registration_settings, ledger_settings):
    # Issue 12: an unknown partner's event is parked, not dead-lettered at once; the test ages it past
    # the park timeout, so it still reaches the dead letters (with what it waited for) and is re-driven.
    ledger_settings = ledger_settings.model_copy(update={"consumer_park_retry_seconds": 0.3})
    topic = topics.prefixed(topics.REGISTRATION, registration_settings.topic_prefix)
    ledger = await asyncpg.connect(sync_url(ledger_settings.database_url))
    try:
        async with relay_task(registration_settings, "registration"), projector_task(ledger_settings):
            # "late" wins a deal before the ledger knows it; "ok" is healthy throughout.
            await write_to_outbox(
                registration_settings,
                [won("late", "late-1", Decimal("100.00")), enrolled("ok"), won("ok", "ok-1", Decimal("200.00"))],
            )
            producer = AIOKafkaProducer(bootstrap_servers=registration_settings.kafka_bootstrap_servers)
            await producer.start()
            try:
                await producer.send_and_wait(topic, b"{not json", key=b"ok")
                await producer.send_and_wait(topic, orjson.dumps({"specversion": "1.0", "id": "x"}), key=b"ok")
            finally:
                await producer.stop()

            async def parked():
                return await ledger.fetch("SELECT id, reason, event_id FROM dead_letters ORDER BY id")

            async def waiting():
                return await ledger.fetch("SELECT waiting_for FROM parked_events")

            assert [r["waiting_for"] for r in await eventually(waiting)] == ["partner:late"]
            await ledger.execute("UPDATE parked_events SET parked_at = now() - interval '8 days'")

            async def three_parked():
                rows = await parked()
                return rows if len(rows) == 3 else None

            rows = await eventually(three_parked)
            reasons = " | ".join(r["reason"] for r in rows)
            assert "waited 8 days, 0:00:0" in reasons  # how long, and what it waited for, is named
            assert "for partner:late" in reasons
            assert "invalid event" in reasons or "JSON" in reasons

            async def healthy_applied():
                return await ledger.fetchval(
                    "SELECT -balance FROM balances WHERE account = 'partner:ok:rebates_payable'"
                )

            # 5 % of 200.00 under the default program: the poison did not stop partner "ok".
            assert await eventually(healthy_applied) == Decimal("10.00")

            await write_to_outbox(registration_settings, [enrolled("late")])

            async def late_known():
                return await ledger.fetchval("SELECT count(*) FROM ledger_partners WHERE partner_id = 'late'")

            await eventually(late_known)

        assert await redrive(PROJECTOR.runtime(ledger_settings), PROJECTOR, None) == (
            1,
            2,
        )  # the malformed two still fail
        assert await ledger.fetchval(
            "SELECT -balance FROM balances WHERE account = 'partner:late:rebates_payable'"
        ) == Decimal("5.00")
        assert await redrive(PROJECTOR.runtime(ledger_settings), PROJECTOR, None) == (0, 2)
        assert await ledger.fetchval("SELECT count(*) FROM journal_entries WHERE kind = 'rebate'") == 2
        assert await ledger.fetchval("SELECT count(*) FROM dead_letters WHERE redriven_at IS NOT NULL") == 1
    finally:
        await ledger.close()
