"""The projector's Kafka fetch sizes decide only how records are cut into batches (how many
partitions and events each ``getmany`` brings), never what is projected: the same stream read with
fetches of a few records gives the very rows, hashes and balances the default fetch sizes give."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest
from incentive_contracts import topics
from incentive_contracts.registry import encode
from ledger.config import LedgerSettings
from servicekit.db import sync_url
from servicekit.kafka import ensure_topics, make_producer
from servicekit.runner import all_topics
from servicekit.testing.databases import DatabaseFactory

from .outbox_events import enrolled, won
from .workers import eventually, projector_task

pytestmark = [pytest.mark.slow]

LEDGER_INI = Path(__file__).resolve().parents[2] / "services/ledger/alembic.ini"
PARTNERS = 12
DEALS = 15
TABLES = {
    "journal_entries": "entry_id, partner_id, stream, sequence, kind, caused_by, deal_id, effective_at, rule_id, "
    "rule_version, reverses, explanation::text, prev_hash, entry_hash",
    "postings": "entry_id, line, partner_id, account, currency, amount, effective_at, stream, sequence",
    "balances": "partner_id, account, currency, balance",
    "chain_heads": "partner_id, stream, last_sequence, head_hash",
    "ledger_partners": "partner_id, program_id, tier, state::text",
    "ledger_deals": "partner_id, deal_id, state::text",
}


async def _produce(settings: LedgerSettings) -> int:
    """Enrolments, then won deals round-robin over the partners (as the replay benchmark's stream)."""
    await ensure_topics(settings, all_topics(settings.topic_prefix))
    stream = [enrolled(f"p{p}") for p in range(PARTNERS)] + [
        won(f"p{p}", f"p{p}-d{d}", Decimal(f"{900 + 37 * p + 101 * d}.{(p + 7 * d) % 100:02d}"))
        for d in range(DEALS)
        for p in range(PARTNERS)
    ]
    producer = make_producer(settings)
    await producer.start()
    try:
        for payload in stream:
            envelope = encode(payload, source="/registration", time=datetime(2026, 2, 1, 12, tzinfo=UTC))
            # One record batch per event, so that a small fetch can bring few events.
            await producer.send_and_wait(
                topics.prefixed(topics.REGISTRATION, settings.topic_prefix),
                value=envelope.to_json(),
                key=payload.partner_id.encode(),
            )
    finally:
        await producer.stop()
    return len(stream)


async def _project(settings: LedgerSettings, events: int) -> tuple[dict[str, list[tuple[object, ...]]], int]:
    """Every projected table (key order) and the number of batches the projector applied."""
    conn = await asyncpg.connect(sync_url(settings.database_url))
    try:
        async with projector_task(settings):

            async def applied() -> bool:
                return int(await conn.fetchval("SELECT count(*) FROM consumed_events")) >= events

            await eventually(applied, timeout=120, interval=0.2)
        rows = {
            table: [tuple(r) for r in await conn.fetch(f"SELECT {columns} FROM {table} ORDER BY 1, 2, 3")]
            for table, columns in TABLES.items()
        }
        # Each batch claims its events in its own transaction.
        batches = int(await conn.fetchval("SELECT count(DISTINCT xmin::text) FROM consumed_events"))
        return rows, batches
    finally:
        await conn.close()


async def test_tiny_fetches_project_the_rows_the_default_fetches_project(
    ledger_settings: LedgerSettings, database_factory: DatabaseFactory
) -> None:
    events = await _produce(ledger_settings)
    default_rows, default_batches = await _project(ledger_settings, events)

    tiny = ledger_settings.model_copy(
        update={
            "database_url": database_factory.create(LEDGER_INI, prefix="led"),
            "consumer_group": f"{ledger_settings.consumer_group}-tiny",
            "kafka_fetch_max_bytes": 1024,
            "kafka_max_partition_fetch_bytes": 512,
        }
    )
    tiny_rows, tiny_batches = await _project(tiny, events)

    assert len(default_rows["journal_entries"]) == PARTNERS * DEALS * 2  # a rebate and an MDF accrual per deal
    assert tiny_batches > default_batches, "the tiny fetches cut the stream into more batches"
    for table in TABLES:
        assert tiny_rows[table] == default_rows[table], table
