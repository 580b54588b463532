"""``ledger reevaluate-tiers --date``: the yearly review over every partner, with partner.tier_changed."""

from __future__ import annotations

from datetime import date

import asyncpg
import orjson
from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import project
from ledger.entrypoints.cli import reevaluate
from ledger_support import engaged, enrolled, incoming, won
from servicekit.db import sync_url


async def test_the_review_demotes_partners_below_the_minimum_activity(ledger_settings, uow_factory, ledger_container):
    events = [
        enrolled("acme", program_id="default"),
        enrolled("zeta", program_id="default"),
        # acme reaches silver in the default program: 250000 USD won and 30 points
        engaged("quarterly_business_review", date(2026, 1, 20), pid="acme"),
        engaged("joint_business_plan", date(2026, 2, 1), pid="acme"),
        engaged("joint_marketing_activity", date(2026, 2, 2), pid="acme"),  # 10 + 15 + 5 = 30
        won("a1", "250000.00", date(2026, 3, 1), pid="acme"),
        # zeta too, and keeps up its activity in 2027 (15 points keep silver)
        engaged("quarterly_business_review", date(2026, 1, 20), pid="zeta"),
        engaged("joint_business_plan", date(2026, 2, 1), pid="zeta"),
        engaged("joint_marketing_activity", date(2026, 2, 2), pid="zeta"),
        won("z1", "250000.00", date(2026, 3, 1), pid="zeta"),
        engaged("joint_business_plan", date(2027, 3, 1), pid="zeta"),
    ]
    async with uow_factory() as uow:
        assert await project(SqlLedgerStore(uow), [incoming(e) for e in events]) == []
        await uow.commit()

    first = await reevaluate(ledger_container, date(2027, 1, 1))
    assert first == []  # both earned 30 points in 2026: silver kept
    changes = await reevaluate(ledger_container, date(2028, 1, 1))
    assert len(changes) == 1
    assert changes[0].startswith("acme: silver -> registered")
    assert await reevaluate(ledger_container, date(2028, 1, 1)) == []  # a review runs once

    conn = await asyncpg.connect(sync_url(ledger_settings.database_url))
    try:
        tiers = dict(await conn.fetch("SELECT partner_id, tier FROM ledger_partners ORDER BY 1"))
        assert tiers == {"acme": "registered", "zeta": "silver"}
        announced = [
            orjson.loads(r["payload"])["data"]
            for r in await conn.fetch(
                "SELECT payload FROM outbox WHERE event_type = 'partner.tier_changed' ORDER BY id"
            )
        ]
        assert [(a["partner_id"], a["previous_tier"], a["tier"]) for a in announced][-1] == (
            "acme",
            "silver",
            "registered",
        )
        assert announced[-1]["effective_at"] == "2028-01-01"
    finally:
        await conn.close()
