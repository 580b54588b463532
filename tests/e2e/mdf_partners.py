"""The mdf service learning registration's enrolments without a broker: the partner.enrolled events
in registration's outbox handed to the real mdf consumer handler (allocations need a known partner)."""

from __future__ import annotations

import asyncpg
from incentive_contracts.envelope import CloudEvent
from incentive_contracts.registry import decode
from mdf.bootstrap import bootstrap
from mdf.config import MdfSettings
from mdf.entrypoints.consumer import LedgerFeedHandler
from registration.config import RegistrationSettings
from servicekit.consumer import Inbound
from servicekit.db import sync_url


async def mdf_learns_enrolments(
    registration: RegistrationSettings, mdf: MdfSettings, event_ids: list[str] | None = None
) -> int:
    """Apply registration's partner.enrolled events (all, or those of ``event_ids``) at mdf; how many."""
    conn = await asyncpg.connect(sync_url(registration.database_url))
    try:
        rows = await conn.fetch(
            "SELECT topic, payload FROM outbox WHERE event_type = 'partner.enrolled'"
            " AND ($1::uuid[] IS NULL OR event_id = ANY($1::uuid[])) ORDER BY id",
            event_ids,
        )
    finally:
        await conn.close()
    events = []
    for row in rows:
        envelope = CloudEvent.from_json(row["payload"])
        events.append(Inbound(envelope, decode(envelope), row["topic"], 0, 0, row["payload"]))
    container = bootstrap(mdf)
    try:
        async with container.runtime.uow_factory() as uow:
            assert await LedgerFeedHandler(container.unit).handle(uow, events) == []
            await uow.commit()
    finally:
        await container.runtime.close()
    return len(events)
