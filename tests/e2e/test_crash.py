"""Fault injection: SIGKILL the relay and the projector at random points while events flow.

After recovery every event sent is in the ledger exactly once: the inbox holds exactly the ids
sent, each won deal produced exactly one rebate entry, the sums match what was sent, and the
postings sum to zero per currency.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

import asyncpg
import orjson
import pytest
from incentive_contracts import topics
from incentive_contracts.events.deal import DealWon
from incentive_contracts.events.partner import PartnerEnrolled, PartnerType
from incentive_contracts.money import Money
from servicekit.db import create_engine, sync_url
from servicekit.unit_of_work import UnitOfWorkFactory

from .processes import ServiceProcess, settings_env
from .workers import eventually

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crash")]

PARTNERS = 50
DEALS_PER_PARTNER = 100
KILLS_EACH = 20


def won_amount(partner: int, deal: int) -> Decimal:
    return Decimal(f"{1000 + partner * 7 + deal}.{(partner * 31 + deal * 17) % 100:02d}")


async def produce(settings, stop_after: asyncio.Event) -> list[str]:
    """Write enrolments and won deals into the registration outbox in small transactions."""
    engine = create_engine(settings.database_url, pool_size=2)
    factory = UnitOfWorkFactory(
        engine, source="/registration", topic=topics.prefixed(topics.REGISTRATION, settings.topic_prefix)
    )
    sent: list[str] = []
    try:
        async with factory() as uow:
            for p in range(PARTNERS):
                sent.append(
                    uow.publish(
                        PartnerEnrolled(
                            partner_id=f"p{p}",
                            name=f"Partner {p}",
                            partner_type=PartnerType.RESELLER,
                            region="EMEA",
                            program_id="default",
                            enrolled_on=date(2026, 1, 5),
                        ),
                        time=datetime(2026, 1, 5, tzinfo=UTC),
                    )
                )
            await uow.commit()
        for d in range(DEALS_PER_PARTNER):
            async with factory() as uow:
                for p in range(PARTNERS):
                    sent.append(
                        uow.publish(
                            DealWon(
                                partner_id=f"p{p}",
                                deal_id=f"p{p}-d{d}",
                                product_line="cloud",
                                amount=Money(amount=won_amount(p, d), currency="USD"),
                                closed_on=date(2026, 2, 1),
                                registered=True,
                                influence=[],
                            ),
                            time=datetime(2026, 2, 1, tzinfo=UTC),
                        )
                    )
                await uow.commit()
            await asyncio.sleep(0.25)
    finally:
        stop_after.set()
        await engine.dispose()
    return sent


async def test_sigkill_relay_and_projector_loses_and_doubles_nothing(registration_settings, ledger_settings, tmp_path):
    relay = ServiceProcess(
        ["registration", "relay"], settings_env(registration_settings, "REGISTRATION_"), tmp_path / "relay.log"
    )
    projector = ServiceProcess(
        ["ledger", "projector"], settings_env(ledger_settings, "LEDGER_"), tmp_path / "projector.log"
    )
    relay.start()
    projector.start()
    rng = random.Random(20261121)
    done = asyncio.Event()
    producer = asyncio.create_task(produce(registration_settings, done))
    try:
        victims = [relay, projector] * KILLS_EACH
        rng.shuffle(victims)
        for victim in victims:
            await asyncio.sleep(rng.uniform(0.3, 1.6))
            victim.kill()
            victim.start()
        sent = await producer
        assert relay.kills >= KILLS_EACH
        assert projector.kills >= KILLS_EACH

        ledger = await asyncpg.connect(sync_url(ledger_settings.database_url))
        try:

            async def all_applied():
                return await ledger.fetchval("SELECT count(*) FROM consumed_events") >= len(sent)

            await eventually(all_applied, timeout=180, interval=0.25)
            await asyncio.sleep(2)  # anything still arriving now would be a duplicate: let it come

            consumed = await ledger.fetch("SELECT event_id::text AS id, event_type, payload FROM consumed_events")
            assert len(consumed) == len(sent) == PARTNERS * (DEALS_PER_PARTNER + 1)
            assert {r["id"] for r in consumed} == set(sent)
            assert await ledger.fetchval("SELECT count(*) FROM dead_letters") == 0

            wins = [orjson.loads(r["payload"])["data"] for r in consumed if r["event_type"] == "deal.won"]
            sent_total = sum(won_amount(p, d) for p in range(PARTNERS) for d in range(DEALS_PER_PARTNER))
            assert sum(Decimal(w["amount"]["amount"]) for w in wins) == sent_total

            rebates = await ledger.fetch(
                "SELECT caused_by, count(*) AS n FROM journal_entries WHERE kind = 'rebate' GROUP BY caused_by"
            )
            assert len(rebates) == PARTNERS * DEALS_PER_PARTNER
            assert all(r["n"] == 1 for r in rebates)

            # The built-in default program: tier "registered" earns 5 %; with no engagement
            # points no partner can reach silver, whatever its revenue.
            rate = Decimal("0.05")
            for p in range(PARTNERS):
                expected = sum(
                    (won_amount(p, d) * rate).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
                    for d in range(DEALS_PER_PARTNER)
                )
                owed = await ledger.fetchval(
                    "SELECT -balance FROM balances WHERE partner_id = $1 AND account = $2",
                    f"p{p}",
                    f"partner:p{p}:rebates_payable",
                )
                assert owed == expected, f"partner p{p}"
            per_currency = await ledger.fetch("SELECT currency, sum(amount) AS total FROM postings GROUP BY currency")
            assert [(r["currency"], r["total"]) for r in per_currency] == [("USD", 0)]
            mismatched = await ledger.fetchval(
                """
                SELECT count(*) FROM balances b
                FULL JOIN (SELECT partner_id, account, currency, sum(amount) AS s FROM postings GROUP BY 1, 2, 3) p
                  USING (partner_id, account, currency)
                WHERE b.balance IS DISTINCT FROM p.s
                """
            )
            assert mismatched == 0
        finally:
            await ledger.close()
    finally:
        producer.cancel()
        relay.stop()
        projector.stop()
