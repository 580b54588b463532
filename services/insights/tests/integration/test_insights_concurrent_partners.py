"""A partner's enrolment data and its tier come from two topics, which two consumer replicas may apply
at the same time: neither overwrites what the other set."""

from __future__ import annotations

import asyncio
from datetime import date

import insights_events as ev
from incentive_contracts.events.partner import PartnerType, PartnerUpdated
from insights.config import InsightsSettings
from insights.entrypoints.consumer import READ_MODELS, ReadModelHandler
from insights_feed import feed, inbound
from sqlalchemy import text


async def test_a_tier_and_an_update_applied_at_once_both_stay(insights_settings: InsightsSettings) -> None:
    assert await feed(insights_settings, [ev.enrolled("p", "emea", "health", date(2026, 1, 1))]) == 0
    update = PartnerUpdated(
        partner_id="p", name="Renamed", partner_type=PartnerType.RESELLER, region="amer", vertical="health",
        program_id="core", changed=["name", "region"], updated_on=date(2026, 2, 1),
    )  # fmt: skip
    factory = READ_MODELS.uow_factory(insights_settings, pool_size=2)
    try:
        async with factory() as tiers, factory() as directory:
            assert await ReadModelHandler().handle(tiers, inbound([ev.tier("p", "gold", date(2026, 2, 1))])) == []
            # the directory replica read the partner before the tier committed; its write waits for the lock
            other = asyncio.create_task(ReadModelHandler().handle(directory, inbound([update], offset=1)))
            await asyncio.sleep(0.3)
            await tiers.commit()
            assert await other == []
            await directory.commit()
        async with factory.engine.connect() as conn:
            row = (await conn.execute(text("SELECT name, region, tier FROM insights_partners"))).one()
    finally:
        await factory.engine.dispose()
    assert tuple(row) == ("Renamed", "amer", "gold")
