"""Issue 12 defect 1 through the real broker: a ledger.mdf_accrual_reversed takes the accrual back
from the fund (at most what is available), says so as mdf.accrual_clawed_back, once per reversal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from incentive_contracts.events.ledger import LedgerMdfAccrualReversed
from incentive_contracts.money import Money
from mdf_api import MdfApi, fetch, outbox, position
from mdf_kafka import prepare_topics, publish_ledger_events, until
from mdf_partners import make_known
from test_mdf_consumer import accrued, running_consumer, tier

D = Decimal


def reversed_(entry: str, amount: str, reverses: str = "je-1") -> LedgerMdfAccrualReversed:
    return LedgerMdfAccrualReversed(
        partner_id="acme",
        entry_id=entry,
        reverses=reverses,
        deal_id=f"deal-{reverses}",
        period="2026-Q2",
        amount=Money(amount=D(amount), currency="EUR"),
        rule_version=1,
    )


async def clawed(settings) -> list[dict]:  # type: ignore[type-arg]
    return [e["data"] for e in await outbox(settings) if e["type"] == "mdf.accrual_clawed_back"]


async def test_a_reversed_accrual_leaves_nothing_to_spend(kafka_settings):
    await prepare_topics(kafka_settings)
    await make_known(kafka_settings, "acme")
    await publish_ledger_events(
        kafka_settings,
        [accrued("je-1", "100.00"), reversed_("je-r1", "100.00"), reversed_("je-r1", "100.00")],  # re-announced
    )
    async with running_consumer(kafka_settings, "mdf-test") as consumer:

        async def applied() -> bool:
            return consumer.applied == 3

        await until(applied)
    [fund] = await fetch(kafka_settings, "SELECT accrued, reserved FROM funds WHERE partner_id = 'acme'")
    assert (fund["accrued"], fund["reserved"]) == (D("0.00"), D("0.00"))
    [answer] = await clawed(kafka_settings)  # answered once per ledger reversal entry
    assert (answer["amount"], answer["unrecovered"], answer["reversal_entry_id"], answer["reverses"]) == (
        {"amount": "100.00", "currency": "EUR"},
        {"amount": "0.00", "currency": "EUR"},
        "je-r1",
        "je-1",
    )


async def test_a_reversal_takes_at_most_what_is_available_and_reports_the_rest(
    kafka_settings, mdf_client, mdf_settings, clock
):
    await prepare_topics(kafka_settings)
    await make_known(kafka_settings, "acme")
    await publish_ledger_events(kafka_settings, [tier("acme", "gold", date(2026, 3, 1)), accrued("je-1", "100.00")])
    async with running_consumer(kafka_settings, "mdf-test") as consumer:

        async def credited() -> bool:
            return consumer.applied == 2

        await until(credited)
        api = MdfApi(mdf_client, mdf_settings)
        await api.submit("acme", "r1", "60.00")
        await api.approve("r1")  # 60 of the 100 reserved while the reversal is in flight
        await publish_ledger_events(kafka_settings, [reversed_("je-r1", "100.00")])

        async def answered() -> bool:
            return consumer.applied == 3

        await until(answered)
    [answer] = await clawed(kafka_settings)
    assert (answer["amount"]["amount"], answer["requested"]["amount"], answer["unrecovered"]["amount"]) == (
        "40.00",
        "100.00",
        "60.00",
    )
    assert await api.position("acme") == position(accrued="60.00", reserved="60.00", available="0.00")
