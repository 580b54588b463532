"""The ledger feed through the real broker: accruals credit funds once, tiers drive eligibility,
poison goes to dead letters, and accruals into a closed period expire at once."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal

from aiokafka import AIOKafkaProducer
from incentive_contracts import topics
from incentive_contracts.events.ledger import LedgerMdfAccrued
from incentive_contracts.events.partner import PartnerTierChanged
from incentive_contracts.money import Money
from mdf.application.periods import close_period
from mdf.bootstrap import bootstrap
from mdf.domain.period_close import ClosePeriod
from mdf.entrypoints.consumer import LEDGER_FEED
from mdf_api import fetch, outbox
from mdf_kafka import prepare_topics, publish_ledger_events, until
from mdf_partners import enrolment, make_known
from servicekit.testing.consumers import in_background


def accrued(entry: str, amount: str, period: str = "2026-Q2", partner: str = "acme") -> LedgerMdfAccrued:
    return LedgerMdfAccrued(
        partner_id=partner,
        entry_id=entry,
        deal_id=f"deal-{entry}",
        period=period,
        # Money.recorded: the ledger once recorded accruals with four places; such events stay readable.
        amount=Money.recorded(Decimal(amount), "EUR"),
        rate="0.02",
        rule_version=1,
    )


def tier(partner: str, name: str, effective: date) -> PartnerTierChanged:
    return PartnerTierChanged(
        partner_id=partner,
        program_id="growth",
        previous_tier=None,
        tier=name,
        effective_at=effective,
        reason="threshold",
        rule_version=1,
    )


@asynccontextmanager
async def running_consumer(settings, group: str):
    settings = settings.model_copy(update={"consumer_group": group})
    runtime = bootstrap(settings).runtime
    try:
        async with in_background(LEDGER_FEED.build(runtime)) as consumer:
            yield consumer
    finally:
        await runtime.close()


async def test_accruals_and_tiers_are_applied_exactly_once(kafka_settings):
    await prepare_topics(kafka_settings)
    await make_known(kafka_settings, "acme")
    await publish_ledger_events(
        kafka_settings,
        [
            tier("acme", "gold", date(2026, 3, 1)),
            accrued("je-1", "1234.5678"),
            accrued("je-2", "100.00"),
            tier("acme", "silver", date(2026, 1, 1)),  # stale: an older tier never overwrites a newer one
            accrued("je-3", "-50.00"),  # not creditable: dead-lettered with the reason
            b"{not a cloudevent",
            accrued("je-1", "1234.5678"),  # the same ledger entry under a new event id: credited once
        ],
    )

    async def dead_letters() -> list:
        return await fetch(kafka_settings, "SELECT reason FROM dead_letters ORDER BY id")

    async def settled() -> bool:
        return len(await dead_letters()) == 2 and consumer.applied == 5

    async with running_consumer(kafka_settings, "mdf-test") as consumer:
        await until(settled)

    [fund] = await fetch(kafka_settings, "SELECT accrued, allocated, reserved FROM funds WHERE partner_id = 'acme'")
    assert fund["accrued"] == Decimal("1334.5678")
    assert [r["tier"] for r in await fetch(kafka_settings, "SELECT tier FROM partner_tiers")] == ["gold"]
    reasons = [r["reason"] for r in await dead_letters()]
    assert reasons[1] == "an mdf accrual must be positive"
    assert "JSON" in reasons[0] or "invalid" in reasons[0].lower()
    assert len(await fetch(kafka_settings, "SELECT entry_id FROM accruals")) == 2

    # A second consumer group re-reads the topic from the start: its own inbox hands it every event (the
    # inbox keyed by event id alone made it skip them all), and crediting once per ledger entry and
    # never overwriting a newer tier make it change nothing.
    async with running_consumer(kafka_settings, "mdf-replay") as replay:

        async def caught_up() -> bool:
            rows = await fetch(
                kafka_settings, "SELECT sum(next_offset) AS n FROM consumer_offsets WHERE consumer_group = 'mdf-replay'"
            )
            return rows[0]["n"] == 7

        await until(caught_up)
    assert replay.applied == 5
    assert len(await fetch(kafka_settings, "SELECT entry_id FROM accruals")) == 2
    assert [r["tier"] for r in await fetch(kafka_settings, "SELECT tier FROM partner_tiers")] == ["gold"]
    [again] = await fetch(kafka_settings, "SELECT accrued FROM funds WHERE partner_id = 'acme'")
    assert again["accrued"] == Decimal("1334.5678")


async def test_an_accrual_into_a_closed_period_expires_at_once(kafka_settings):
    await prepare_topics(kafka_settings)
    await make_known(kafka_settings, "acme")
    container = bootstrap(kafka_settings)
    async with container.runtime.uow_factory() as uow:
        await close_period(container.unit(uow), ClosePeriod("2026-Q1", date(2026, 4, 1), date(2026, 4, 1)))
        await uow.commit()
    await container.runtime.close()
    await publish_ledger_events(kafka_settings, [accrued("je-9", "75.25", period="2026-Q1")])
    async with running_consumer(kafka_settings, "mdf-test") as consumer:

        async def applied() -> bool:
            return consumer.applied == 1

        await until(applied)
    [fund] = await fetch(kafka_settings, "SELECT accrued, expired FROM funds WHERE period = '2026-Q1'")
    assert (fund["accrued"], fund["expired"]) == (Decimal("75.25"), Decimal("75.25"))
    [expired] = [e for e in await outbox(kafka_settings) if e["type"] == "mdf.funds_expired"]
    assert expired["data"]["amount"] == {"amount": "75.25", "currency": "EUR"}


async def test_an_accrual_that_overtakes_its_partners_enrolment_waits_for_it(kafka_settings):
    """The ledger and registration topics are not ordered with each other: an accrual (and a tier
    change) for a partner the mdf service does not know yet is parked, not dead-lettered, and credited
    once partner.enrolled arrives on the registration topic."""
    await prepare_topics(kafka_settings)
    await publish_ledger_events(
        kafka_settings, [accrued("je-7", "40.00", partner="newco"), tier("newco", "gold", date(2026, 3, 1))]
    )
    async with running_consumer(kafka_settings, "mdf-test"):

        async def parked() -> bool:
            return len(await fetch(kafka_settings, "SELECT 1 FROM parked_events")) == 2

        await until(parked)
        assert await fetch(kafka_settings, "SELECT 1 FROM funds WHERE partner_id = 'newco'") == []
        producer = AIOKafkaProducer(bootstrap_servers=kafka_settings.kafka_bootstrap_servers, acks="all")
        await producer.start()
        try:
            registration = topics.prefixed(topics.REGISTRATION, kafka_settings.topic_prefix)
            await producer.send_and_wait(registration, enrolment("newco").raw, key=b"newco")
        finally:
            await producer.stop()

        async def credited() -> bool:
            return len(await fetch(kafka_settings, "SELECT 1 FROM funds WHERE partner_id = 'newco'")) == 1

        await until(credited)
    [fund] = await fetch(kafka_settings, "SELECT accrued FROM funds WHERE partner_id = 'newco'")
    assert fund["accrued"] == Decimal("40.00")
    assert [r["tier"] for r in await fetch(kafka_settings, "SELECT tier FROM partner_tiers")] == ["gold"]
    assert await fetch(kafka_settings, "SELECT 1 FROM parked_events UNION ALL SELECT 1 FROM dead_letters") == []
    assert [r["partner_id"] for r in await fetch(kafka_settings, "SELECT partner_id FROM mdf_partners")] == ["newco"]
