"""An auditor's replay through Kafka: registration and MDF events go through the real relay and projector,
finance cuts and acknowledges a payout batch between them (the ledger's relay announces it on its topic),
then ``replay`` rebuilds the ledger from offset 0 into an empty database. Its digest equals the live
ledger's and ``verify`` passes; one journal row changed by the database superuser is then named.

Program ``default``, tier registered: 5 % rebate, 1 % of won revenue into MDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

import asyncpg
from incentive_contracts import topics
from incentive_contracts.events import deal, mdf
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload
from ledger.config import LedgerSettings
from ledger.entrypoints.api import create_app as ledger_app
from ledger.entrypoints.audit_cli import run_replay, run_verify
from registration.config import RegistrationSettings
from servicekit.db import create_engine, sync_url
from servicekit.testing.client import app_client, auth_header
from servicekit.testing.databases import DatabaseFactory
from servicekit.unit_of_work import UnitOfWorkFactory

from .outbox_events import enrolled, won
from .workers import eventually, projector_task, relay_task


def usd(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USD")


async def publish(settings, source: str, topic: str, events: Sequence[EventPayload]) -> int:  # type: ignore[no-untyped-def]
    engine = create_engine(settings.database_url, pool_size=1)
    factory = UnitOfWorkFactory(engine, source=source, topic=topics.prefixed(topic, settings.topic_prefix))
    try:
        async with factory() as uow:
            for event in events:
                uow.publish(event, time=datetime.now(UTC))
            await uow.commit()
    finally:
        await engine.dispose()
    return len(events)


def flagged(pid: str, deal_id: str, on: date) -> deal.DealFlagged:
    return deal.DealFlagged(partner_id=pid, deal_id=deal_id, reason=deal.FlagReason("self_dealing"),
                            detail="review", flagged_on=on)  # fmt: skip


def later_won(pid: str, deal_id: str, amount: str, on: date) -> deal.DealWon:
    return deal.DealWon(partner_id=pid, deal_id=deal_id, product_line="cloud", amount=usd(amount), closed_on=on,
                        registered=False, influence=[])  # fmt: skip


async def test_a_replay_from_offset_zero_matches_the_live_ledger_and_names_a_changed_row(
    registration_settings: RegistrationSettings, ledger_settings: LedgerSettings, database_factory: DatabaseFactory
) -> None:
    finance = auth_header(ledger_settings, "finance:write")
    conn = await asyncpg.connect(sync_url(ledger_settings.database_url))
    sent = 0

    async def consumed(n: int):  # type: ignore[no-untyped-def]
        async def check() -> bool:
            return bool(await conn.fetchval("SELECT count(*) FROM consumed_events") >= n)

        await eventually(check, timeout=60)

    try:
        async with (
            app_client(ledger_app(ledger_settings)) as led,
            relay_task(registration_settings, "registration"),
            relay_task(ledger_settings, "ledger"),
            projector_task(ledger_settings),
        ):
            sent += await publish(registration_settings, "/registration", topics.REGISTRATION,
                                  [enrolled("north"), enrolled("south")])  # fmt: skip
            await consumed(sent)
            sent += await publish(
                registration_settings,
                "/registration",
                topics.REGISTRATION,
                [won("north", "n1", Decimal("1000.00")), won("south", "s1", Decimal("2000.00"))],  # 50.00, 100.00
            )
            funds = [mdf.MdfAllocated(partner_id="north", allocation_id="al-1", period="2026-Q1", amount=usd("500.00"),
                                      allocated_on=date(2026, 1, 10))]  # fmt: skip
            sent += await publish(registration_settings, "/mdf", topics.MDF, funds)
            await consumed(sent)

            cut = {"currency": "USD", "cutoff": "2026-02-28T00:00:00Z", "minimum_amount": "10.00"}
            batch = await led.post("/payout-batches", json=cut, headers=finance | {"Idempotency-Key": "cut"})
            assert (batch.status_code, batch.json()["line_count"]) == (201, 2), batch.text

            # After the cut: north's n1 is in payment; a new deal makes 30.00 payable, which is all a hold takes.
            sent += await publish(
                registration_settings,
                "/registration",
                topics.REGISTRATION,
                [later_won("north", "n2", "600.00", date(2026, 3, 2)), flagged("north", "n1", date(2026, 3, 3))],
            )
            await consumed(sent)
            acks = {"lines": [{"partner_id": "north", "status": "paid", "payment_reference": "SEPA-1"},
                              {"partner_id": "south", "status": "failed", "reason": "IBAN closed"}]}  # fmt: skip
            url = f"/payout-batches/{batch.json()['batch_id']}/acknowledgements"
            assert (await led.post(url, json=acks, headers=finance | {"Idempotency-Key": "ack"})).status_code == 200
            sent += await publish(
                registration_settings, "/registration", topics.REGISTRATION,
                [later_won("south", "s2", "400.00", date(2026, 3, 5))],
            )  # fmt: skip
            await consumed(sent)
            held = await conn.fetchval(
                "SELECT 0 - balance FROM balances WHERE account = 'partner:north:rebates_held' AND currency = 'USD'"
            )
            assert held == Decimal("30.00")

            async def announced() -> bool:
                return bool(await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0)

            await eventually(announced, timeout=60)

        target = database_factory.empty(prefix="audit")
        report = await run_replay(ledger_settings, target, quiet=True)
        assert (report.events, report.payouts, report.rejected) == (sent, 4, [])

        verdict = await run_verify(ledger_settings.database_url, target, quiet=True)
        assert verdict.findings == []
        assert verdict.live.digest.digest == report.digest["digest"]
        assert verdict.live.digest.entries == report.digest["entries"]
        assert verdict.live.digest.entries > 0

        # Two worker processes: 2 divides the topics' 4 partitions, so each reads only its own partitions
        # (north and south hash to partitions of different shares) and every record is read once. Three
        # do not divide 4: each reads every partition and decodes only its share's records, by their key.
        for workers, reads in ((2, sent), (3, 3 * sent)):
            parallel = database_factory.empty(prefix=f"audit_parallel_{workers}")
            shared = await run_replay(ledger_settings, parallel, workers=workers, quiet=True)
            assert (shared.events, shared.payouts, shared.rejected, shared.digest) == (sent, 4, [], report.digest)
            assert sum(w["records_read"] for w in shared.workers) == reads
            assert (await run_verify(ledger_settings.database_url, parallel, quiet=True)).findings == []
            if workers == 2:
                assert all(w["events"] for w in shared.workers)  # north's share and south's

        # The database superuser rewrites one journal row behind the immutability trigger.
        row = await conn.fetchrow(
            "SELECT entry_id, partner_id FROM journal_entries WHERE kind = 'hold' AND partner_id = 'north'"
        )
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute(
                "UPDATE journal_entries SET explanation = jsonb_set(explanation, '{amount}', '\"0.00\"') "
                "WHERE entry_id = $1",
                row["entry_id"],
            )
        verdict = await run_verify(ledger_settings.database_url, target, quiet=True)
        assert not verdict.ok
        assert ("hash", row["entry_id"], "north") in {(f.check, f.entry_id, f.partner_id) for f in verdict.findings}
        assert verdict.difference is not None
        assert (verdict.difference.entry_id, verdict.difference.field) == (row["entry_id"], "explanation")
    finally:
        await conn.close()
