"""The backbone slice: enroll + won deal at registration → outbox → Kafka → ledger balances."""

from __future__ import annotations

import asyncpg
from ledger.entrypoints.api import create_app as ledger_app
from registration.entrypoints.api import create_app as registration_app
from servicekit.db import sync_url
from servicekit.testing.client import app_client, auth_header

from .workers import eventually, projector_task, relay_task


async def test_won_deal_becomes_a_balanced_rebate_entry(registration_settings, ledger_settings):
    admin = auth_header(registration_settings, "partners:write", "deals:write")
    reader = auth_header(ledger_settings, "ledger:read")
    async with (
        app_client(registration_app(registration_settings)) as reg,
        app_client(ledger_app(ledger_settings)) as led,
        relay_task(registration_settings, "registration"),
        projector_task(ledger_settings),
    ):
        assert (
            await reg.post(
                "/partners",
                json={
                    "partner_id": "acme",
                    "name": "Acme",
                    "partner_type": "reseller",
                    "region": "EMEA",
                    "enrolled_on": "2026-09-01",
                },
                headers=admin,
            )
        ).status_code == 201
        deal = {
            "deal_id": "d1",
            "partner_id": "acme",
            "customer_name": "Globex",
            "product_line": "cloud",
            "expected_amount": {"amount": "1000.00", "currency": "USD"},
            "expected_close": "2027-03-01",
            "registered_on": "2026-10-01",  # fixed, so no "registered near the close" flag, whatever today is
        }
        assert (await reg.post("/deals", json=deal, headers=admin)).status_code == 201
        for stage in ("qualified", "proposal", "negotiation"):
            moved = await reg.post("/deals/d1/stage", json={"stage": stage}, headers=admin)
            assert moved.status_code == 200, moved.text
        won = {"amount": {"amount": "1234.50", "currency": "USD"}, "closed_on": "2026-11-30"}
        won_response = await reg.post("/deals/d1/won", json=won, headers=admin)
        assert won_response.status_code == 200, won_response.text

        async def rebate():
            response = await led.get("/partners/acme/balances", headers=reader)
            return response.json()["balances"] if response.status_code == 200 and response.json()["balances"] else None

        balances = await eventually(rebate)
        # The built-in default program, entry tier "registered": rebate 5 %, MDF accrual 1 %.
        # 1234.50 x 5% = 61.725 → 61.72 and 1234.50 x 1% = 12.345 → 12.34 (half-even)
        assert [(b["account"], b["currency"], b["balance"], b["category"]) for b in balances] == [
            ("partner:acme:mdf_available", "USD", "12.34", "available"),
            ("partner:acme:rebates_payable", "USD", "61.72", "available"),
        ]

        other = await led.get(
            "/partners/acme/balances", headers=auth_header(ledger_settings, "partner:read", partner_id="zeta")
        )
        assert other.status_code == 404

    conn = await asyncpg.connect(sync_url(ledger_settings.database_url))
    try:
        sums = await conn.fetch("SELECT currency, sum(amount) AS total FROM postings GROUP BY currency")
        assert [(r["currency"], r["total"]) for r in sums] == [("USD", 0)]
        with_error = None
        try:
            await conn.execute("UPDATE postings SET amount = amount + 1")
        except asyncpg.PostgresError as exc:
            with_error = str(exc)
        assert with_error
        assert "immutable" in with_error
        try:
            await conn.execute("DELETE FROM journal_entries")
        except asyncpg.PostgresError as exc:
            with_error = str(exc)
        assert "immutable" in with_error
        assert [r["kind"] for r in await conn.fetch("SELECT kind FROM journal_entries ORDER BY posted_seq")] == [
            "rebate",
            "mdf_accrual",
        ]
    finally:
        await conn.close()
