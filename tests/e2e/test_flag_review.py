"""Flag review across the services (issue 12 defects 4 and 7), through the real broker.

Two deals are won the day they were registered (flagged ``registered_near_close`` at the win): the
ledger holds both rebates and both MDF accruals (``mdf_held``; the mdf service hears nothing). One is
cleared: its rebate becomes payable and its accrual reaches the fund. The other is confirmed: the deal
is rejected and the ledger reverses what it held for it. The clocks are fixed: true on any date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import asyncpg
from ledger.entrypoints.api import create_app as ledger_app
from mdf.entrypoints.api import create_app as mdf_app
from registration.entrypoints.api import create_app as registration_app
from servicekit.db import sync_url
from servicekit.testing.client import app_client, auth_header

from .workers import eventually, mdf_consumer_task, projector_task, relay_task


class Clock:
    def now(self) -> datetime:
        return datetime.combine(date(2026, 5, 15), time(12), UTC)


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
            response = await led.get("/partners/acme/balances", headers=reader)
            if response.status_code != 200:
                return {}
            return {b["purpose"]: b["balance"] for b in response.json()["balances"] if b["balance"] != "0.00"}

        async def fund() -> dict[str, str]:
            response = await mdf.get("/partners/acme/funds/2026-Q2", headers=manager)
            positions = response.json().get("positions", []) if response.status_code == 200 else []
            return next((p for p in positions if p["currency"] == "USD"), {})

        partner = {"partner_id": "acme", "name": "Acme", "partner_type": "reseller", "region": "EMEA"}
        created = await reg.post("/partners", json={**partner, "enrolled_on": "2026-04-01"}, headers=admin)
        assert created.status_code == 201, created.text
        for deal_id, amount in (("d1", "10000.00"), ("d2", "5000.00")):
            deal = {
                "deal_id": deal_id,
                "partner_id": "acme",
                "customer_name": f"Customer {deal_id}",
                "product_line": "cloud",
                "expected_amount": {"amount": amount, "currency": "USD"},
                "expected_close": "2026-06-30",
            }
            assert (await reg.post("/deals", json=deal, headers=admin)).status_code == 201
            for stage in ("qualified", "proposal", "negotiation"):
                moved = await reg.post(f"/deals/{deal_id}/stage", json={"stage": stage}, headers=admin)
                assert moved.status_code == 200, moved.text
            won = await reg.post(
                f"/deals/{deal_id}/won",
                json={"amount": {"amount": amount, "currency": "USD"}, "closed_on": "2026-05-15"},
                headers=admin,
            )
            assert won.status_code == 200, won.text
            assert [f["reason"] for f in won.json()["flags"]] == ["registered_near_close"]

        # defect 4: both rewards and both MDF accruals are held; nothing is spendable
        held = {"rebates_held": "750.00", "mdf_held": "150.00"}
        assert await eventually(lambda: _equals(owed, held)) == held
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
        assert await eventually(lambda: _equals(owed, settled)) == settled

        async def funded() -> bool:
            return (await fund()).get("available") == "50.00"

        await eventually(funded)
        assert (await fund())["accrued"] == "50.00"


async def _equals(read, expected):  # type: ignore[no-untyped-def]
    value = await read()
    return value if value == expected else None
