"""Making partners known to the mdf service in tests, as its consumer does: a partner.enrolled event
handed to the real consumer handler (allocations and requests need a known partner)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from incentive_contracts import topics
from incentive_contracts.events.partner import PartnerEnrolled, PartnerType
from incentive_contracts.registry import encode
from mdf.config import MdfSettings
from mdf.entrypoints.api import SOURCE
from mdf.entrypoints.consumer import LedgerFeedHandler
from servicekit.consumer import Inbound
from servicekit.db import create_engine
from servicekit.unit_of_work import UnitOfWorkFactory


def enrolment(partner_id: str) -> Inbound:
    payload = PartnerEnrolled(
        partner_id=partner_id,
        name=f"Partner {partner_id}",
        partner_type=PartnerType.RESELLER,
        region="EMEA",
        program_id="default",
        enrolled_on=date(2026, 1, 5),
    )
    envelope = encode(payload, source="/registration", time=datetime(2026, 1, 5, tzinfo=UTC))
    return Inbound(envelope, payload, topics.REGISTRATION, 0, 0, envelope.to_json())


async def make_known(settings: MdfSettings, *partner_ids: str) -> None:
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with UnitOfWorkFactory(engine, source=SOURCE, topic=topics.MDF)() as uow:
            refused = await LedgerFeedHandler().handle(uow, [enrolment(p) for p in partner_ids])
            assert not refused
            await uow.commit()
    finally:
        await engine.dispose()
