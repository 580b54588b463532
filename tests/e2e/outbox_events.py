"""Writing contract events straight into a service's outbox (the relay's input) for tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from incentive_contracts import topics
from incentive_contracts.events.deal import DealWon
from incentive_contracts.events.partner import PartnerEnrolled, PartnerType
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload
from servicekit.db import create_engine
from servicekit.settings import ServiceSettings
from servicekit.unit_of_work import UnitOfWorkFactory


def enrolled(partner_id: str) -> PartnerEnrolled:
    return PartnerEnrolled(
        partner_id=partner_id,
        name=f"Partner {partner_id}",
        partner_type=PartnerType.RESELLER,
        region="EMEA",
        program_id="default",
        enrolled_on=date(2026, 1, 5),
    )


def won(partner_id: str, deal_id: str, amount: Decimal, currency: str = "USD") -> DealWon:
    return DealWon(
        partner_id=partner_id,
        deal_id=deal_id,
        product_line="cloud",
        amount=Money(amount=amount, currency=currency),
        closed_on=date(2026, 2, 1),
        registered=True,
        influence=[],
    )


async def write_to_outbox(settings: ServiceSettings, events: list[EventPayload]) -> list[str]:
    """Commit the events into the registration outbox in one transaction; returns their ids."""
    engine = create_engine(settings.database_url, pool_size=1)
    factory = UnitOfWorkFactory(
        engine, source="/registration", topic=topics.prefixed(topics.REGISTRATION, settings.topic_prefix)
    )
    try:
        async with factory() as uow:
            ids = [uow.publish(e, time=datetime(2026, 2, 1, tzinfo=UTC)) for e in events]
            await uow.commit()
        return ids
    finally:
        await engine.dispose()
