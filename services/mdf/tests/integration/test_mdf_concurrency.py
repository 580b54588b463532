"""Fifty concurrent approvals against one partner's fund never reserve more than is available."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from mdf_api import MdfApi, fetch, outbox, position


async def test_fifty_concurrent_approvals_never_over_reserve(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    await api.budget("1000.00")
    await api.allocate("acme", "1000.00")
    for n in range(50):
        await api.submit("acme", f"r{n:02d}", "70.00")  # each fits on its own; together they need 3500

    responses = await asyncio.gather(
        *(api.write("POST", f"/requests/r{n:02d}/approve", {}, api.manager) for n in range(50))
    )

    statuses = sorted(r.status_code for r in responses)
    # 14 x 70 = 980 fits in 1000; a 15th would need 1050
    assert statuses == [200] * 14 + [422] * 36
    refusals = {v["rule"] for r in responses if r.status_code == 422 for v in r.json()["violations"]}
    assert refusals == {"insufficient_funds"}
    [fund] = await fetch(mdf_settings, "SELECT allocated, accrued, reserved FROM funds WHERE partner_id = 'acme'")
    [reservations] = await fetch(
        mdf_settings, "SELECT count(*) AS n, sum(reserved) AS total FROM mdf_requests WHERE status = 'approved'"
    )
    assert reservations["n"] == 14
    assert reservations["total"] == fund["reserved"] == Decimal("980.00")
    assert reservations["total"] <= fund["allocated"] + fund["accrued"]
    assert await api.position("acme") == position(allocated="1000.00", reserved="980.00", available="20.00")
    approved_events = [e for e in await outbox(mdf_settings) if e["type"] == "mdf.request_approved"]
    assert len(approved_events) == 14
    assert sum(Decimal(e["data"]["approved_amount"]["amount"]) for e in approved_events) == Decimal("980.00")
