"""Flag review across the services (issue 12 defects 4 and 7), through the real broker.

Two deals are won the day they were registered (flagged ``registered_near_close`` at the win): the
ledger holds both rebates and both MDF accruals (``mdf_held``; the mdf service hears nothing). One is
cleared: its rebate becomes payable and its accrual reaches the fund. The other is confirmed: the deal
is rejected and the ledger reverses what it held for it. The clocks are fixed: true on any date.
"""

from __future__ import annotations

import asyncpg
from ledger.entrypoints.api import create_app as ledger_app
from mdf.entrypoints.api import create_app as mdf_app
from registration.entrypoints.api import create_app as registration_app
from servicekit.db import sync_url
from servicekit.testing.client import app_client, auth_header

from .flagged_wins import Clock, balances, equals, win_two_flagged_deals
from .workers import eventually, mdf_consumer_task, projector_task, relay_task


async def test_a_cleared_deal_is_paid_and_a_confirmed_one_is_reversed(
    registration_settings, ledger_settings, mdf_settings
):
    clock = Clock()
    admin = auth_header(registration_settings, "partners:write", "deals:write", subject="manager:jo")
    manager = auth_header(mdf_settings, "mdf:read", subject="manager")
    reader = auth_header(ledger_settings, "ledger:read")
    async with (
        app_client(registration_app(registration_settings, clock=clock)) as reg,
        app_client(ledger_app(ledger_settings)) as led,
        app_client(mdf_app(mdf_settings, clock=clock)) as mdf,
        relay_task(registration_settings, "registration"),
        relay_task(ledger_settings, "ledger"),
        relay_task(mdf_settings, "mdf"),
        projector_task(ledger_settings),
        mdf_consumer_task(mdf_settings),
    ):

        async def owed() -> dict[str, str]:
            return await balances(led, reader)

        async def fund() -> dict[str, str]:
            response = await mdf.get("/partners/acme/funds/2026-Q2", headers=manager)
            positions = response.json().get("positions", []) if response.status_code == 200 else []
            return next((p for p in positions if p["currency"] == "USD"), {})

        await win_two_flagged_deals(reg, admin)

        # defect 4: both rewards and both MDF accruals are held; nothing is spendable
        held = {"rebates_held": "750.00", "mdf_held": "150.00"}
        assert await eventually(lambda: equals(owed, held)) == held
        conn = await asyncpg.connect(sync_url(ledger_settings.database_url))
        try:
            announced = await conn.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'ledger.mdf_accrued'")
        finally:
            await conn.close()
        assert announced == 0

        flag = "/deals/{}/flags/registered_near_close/{}"
        cleared = await reg.post(flag.format("d2", "clear"), json={"note": "signed in time"}, headers=admin)
        assert cleared.status_code == 200, cleared.text
        confirmed = await reg.post(flag.format("d1", "confirm"), json={"note": "backdated"}, headers=admin)
        assert (confirmed.status_code, confirmed.json()["status"]) == (200, "rejected")

        # d2 is paid and its accrual reaches the fund; d1's held rebate and accrual are reversed
        settled = {"rebates_payable": "250.00", "mdf_available": "50.00"}
        assert await eventually(lambda: equals(owed, settled)) == settled

        async def funded() -> bool:
            return (await fund()).get("available") == "50.00"

        await eventually(funded)
        assert (await fund())["accrued"] == "50.00"
