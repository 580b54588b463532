"""One truth for MDF money across services (issue 12), through the real broker:

- defect 1: a won deal's MDF accrual that is reversed is taken back by the mdf service (the single
  writer of the fund) and then by the ledger; nothing is left to spend on either side;
- defect 2: a claim approved for less than reserved releases the rest in the ledger too.

Every service runs in process: registration, mdf and ledger APIs, each outbox relay, the ledger
projector and the mdf consumer. The services' clocks are fixed, so the dates hold on any day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from ledger.entrypoints.api import create_app as ledger_app
from mdf.entrypoints.api import create_app as mdf_app
from registration.entrypoints.api import create_app as registration_app
from servicekit.testing.client import app_client, auth_header
from servicekit.testing.clock import SettableClock as Clock

from .workers import eventually, mdf_consumer_task, projector_task, relay_task


def usd(amount: str, currency: str = "USD") -> dict[str, str]:
    return {"amount": amount, "currency": currency}


async def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


async def test_mdf_money_agrees_between_the_mdf_service_and_the_ledger(
    registration_settings, ledger_settings, mdf_settings
):
    clock = Clock(date(2026, 5, 15))
    admin = auth_header(registration_settings, "partners:write", "deals:write")
    manager = auth_header(mdf_settings, "mdf:write", "mdf:read", subject="manager")
    acme = auth_header(mdf_settings, "partner:read", "partner:write", partner_id="acme", subject="acme-user")
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

        async def ledger_balances() -> dict[tuple[str, str], str]:
            response = await led.get("/partners/acme/balances", headers=reader)
            if response.status_code != 200:
                return {}
            return {(b["account"].rsplit(":", 1)[-1], b["currency"]): b["balance"] for b in response.json()["balances"]}

        async def fund(period: str, currency: str) -> dict[str, str]:
            response = await mdf.get(f"/partners/acme/funds/{period}", headers=manager)
            if response.status_code != 200:
                return {}
            return next((p for p in response.json()["positions"] if p["currency"] == currency), {})

        partner = {"partner_id": "acme", "name": "Acme", "partner_type": "reseller", "region": "EMEA"}
        await ok(await reg.post("/partners", json={**partner, "enrolled_on": "2026-04-01"}, headers=admin))
        deal = {
            "deal_id": "d1",
            "partner_id": "acme",
            "customer_name": "Globex",
            "product_line": "cloud",
            "expected_amount": usd("10000.00"),
            "expected_close": "2026-06-30",
            "registered_on": "2026-04-10",
        }
        await ok(await reg.post("/deals", json=deal, headers=admin))
        for stage in ("qualified", "proposal", "negotiation"):
            await ok(await reg.post("/deals/d1/stage", json={"stage": stage}, headers=admin))
        won = await ok(
            await reg.post("/deals/d1/won", json={"amount": usd("10000.00"), "closed_on": "2026-05-15"}, headers=admin)
        )
        assert won["flagged"] is False

        # the 1 % accrual reaches both sides: 100.00 USD in the 2026-Q2 fund
        async def accrued() -> bool:
            return (await fund("2026-Q2", "USD")).get("available") == "100.00" and (await ledger_balances()).get(
                ("mdf_available", "USD")
            ) == "100.00"

        await eventually(accrued)

        # defect 1: the deal is cancelled; the accrual is clawed back on both sides
        await ok(await reg.post("/deals/d1/reversal", json={"kind": "cancelled", "reason": "void"}, headers=admin))

        async def clawed_back() -> bool:
            position = await fund("2026-Q2", "USD")
            balances = await ledger_balances()
            return (position.get("accrued"), position.get("available"), balances.get(("mdf_available", "USD"))) == (
                "0.00",
                "0.00",
                "0.00",
            )

        await eventually(clawed_back)
        request = {
            "request_id": "r-usd",
            "partner_id": "acme",
            "period": "2026-Q2",
            "activity_type": "webinar",
            "title": "Webinar",
            "planned_cost": usd("200.00"),
            "requested_amount": usd("100.00"),
            "starts_on": "2026-05-20",
            "ends_on": "2026-05-25",
            "expected_results": {"registrations": 100},
        }
        refused = await mdf.post("/requests", json=request, headers=_key(acme))
        assert refused.status_code == 422, refused.text
        assert "insufficient_funds" in [v["rule"] for v in refused.json()["violations"]]

        # defect 2: 1,000 CHF allocated, 400 requested and approved, claimed 400, approved at 300
        await ok(await mdf.put("/budgets/2026-Q2", json={"amount": usd("5000.00", "CHF")}, headers=_key(manager)))
        allocation = {"partner_id": "acme", "period": "2026-Q2", "amount": usd("1000.00", "CHF")}
        await ok(await mdf.post("/allocations", json=allocation, headers=_key(manager)))
        chf_request = {
            **request,
            "request_id": "r-chf",
            "planned_cost": usd("800.00", "CHF"),
            "requested_amount": usd("400.00", "CHF"),
        }
        await ok(await mdf.post("/requests", json=chf_request, headers=_key(acme)))
        await ok(await mdf.post("/requests/r-chf/approve", json={}, headers=_key(manager)))
        clock.set(date(2026, 5, 26))
        claim = {
            "claim_id": "c-chf",
            "claimed_amount": usd("400.00", "CHF"),
            "actual_cost": usd("800.00", "CHF"),
            "invoice_ref": "INV-1",
            "proof": [{"reference": "s3://proof/c-chf.pdf", "content_hash": "0f" * 32}],
            "results": {"registrations": 90},
        }
        await ok(await mdf.post("/requests/r-chf/claims", json=claim, headers=_key(acme)))
        await ok(await mdf.post("/claims/c-chf/approve", json={"amount": usd("300.00", "CHF")}, headers=_key(manager)))
        position = await fund("2026-Q2", "CHF")
        assert (position["reserved"], position["available"], position["disbursed"]) == ("0.00", "700.00", "300.00")

        async def ledger_agrees() -> dict[tuple[str, str], str] | None:
            balances = await ledger_balances()
            chf = {k[0]: v for k, v in balances.items() if k[1] == "CHF" and v != "0.00"}
            return balances if chf == {"mdf_available": "700.00", "mdf_disbursed": "300.00"} else None

        try:
            balances = await eventually(ledger_agrees)
        except AssertionError as failed:
            raise AssertionError(f"ledger: {await ledger_balances()}") from failed
        assert balances.get(("mdf_reserved", "CHF"), "0.00") == "0.00"
        assert balances[("mdf_available", "USD")] == "0.00"


def _key(headers: dict[str, str]) -> dict[str, str]:
    import uuid

    return {**headers, "Idempotency-Key": uuid.uuid4().hex}
