"""A thin client for the mdf API used by the integration tests (every write sends an Idempotency-Key)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import orjson
from mdf.config import MdfSettings
from mdf_partners import make_known
from servicekit.db import sync_url
from servicekit.testing.client import auth_header

PERIOD = "2026-Q2"


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


class MdfApi:
    def __init__(self, client: httpx.AsyncClient, settings: MdfSettings) -> None:
        self.client = client
        self.settings = settings
        self.manager = auth_header(settings, "mdf:write", subject="manager")
        self.reader = auth_header(settings, "mdf:read", subject="analyst")
        self.known: set[str] = set()

    def partner(self, partner_id: str) -> dict[str, str]:
        return auth_header(
            self.settings, "partner:read", "partner:write", partner_id=partner_id, subject=f"{partner_id}-user"
        )

    async def write(
        self, method: str, path: str, body: dict[str, Any], headers: dict[str, str], key: str | None = None
    ) -> httpx.Response:
        headers = {**headers, "Idempotency-Key": key or uuid.uuid4().hex}
        partner_id = body.get("partner_id")
        if method == "POST" and isinstance(partner_id, str) and partner_id not in self.known:
            # Allocations and requests need a partner the service knows (from registration's events).
            await make_known(self.settings, partner_id)
            self.known.add(partner_id)
        return await self.client.request(method, path, json=body, headers=headers)

    async def ok(self, method: str, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        response = await self.write(method, path, body, headers or self.manager)
        assert response.status_code in (200, 201), response.text
        return response.json()

    async def budget(self, amount: str, period: str = PERIOD) -> Any:
        return await self.ok("PUT", f"/budgets/{period}", {"amount": eur(amount)})

    async def allocate(self, partner_id: str, amount: str, period: str = PERIOD) -> Any:
        return await self.ok(
            "POST", "/allocations", {"partner_id": partner_id, "period": period, "amount": eur(amount)}
        )

    def request_body(
        self, partner_id: str, request_id: str, requested: str, planned: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "request_id": request_id,
            "partner_id": partner_id,
            "period": PERIOD,
            "activity_type": "webinar",
            "title": f"Webinar {request_id}",
            "planned_cost": eur(planned or str(Decimal(requested) * 2)),
            "requested_amount": eur(requested),
            "starts_on": "2026-05-04",
            "ends_on": "2026-05-08",
            "expected_results": {"registrations": 200, "leads": 30},
        }
        body.update(extra)
        return body

    async def submit(self, partner_id: str, request_id: str, requested: str, **extra: Any) -> Any:
        body = self.request_body(partner_id, request_id, requested, **extra)
        return await self.ok("POST", "/requests", body, self.partner(partner_id))

    async def approve(self, request_id: str, amount: str | None = None) -> Any:
        return await self.ok("POST", f"/requests/{request_id}/approve", {"amount": eur(amount)} if amount else {})

    def claim_body(self, claim_id: str, claimed: str, cost: str, **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "claim_id": claim_id,
            "claimed_amount": eur(claimed),
            "actual_cost": eur(cost),
            "invoice_ref": f"INV-{claim_id}",
            "proof": [{"reference": f"s3://proof/{claim_id}.pdf", "content_hash": "0f" * 32}],
            "results": {"registrations": 250, "attendees": 120, "leads": 33, "opportunities_influenced": 4},
        }
        body.update(extra)
        return body

    async def claim(self, partner_id: str, request_id: str, claim_id: str, claimed: str, cost: str) -> Any:
        return await self.ok(
            "POST", f"/requests/{request_id}/claims", self.claim_body(claim_id, claimed, cost), self.partner(partner_id)
        )

    async def position(self, partner_id: str, period: str = PERIOD, currency: str = "EUR") -> dict[str, str]:
        response = await self.client.get(f"/partners/{partner_id}/funds/{period}", headers=self.reader)
        assert response.status_code == 200, response.text
        [position] = [p for p in response.json()["positions"] if p["currency"] == currency]
        return {k: v for k, v in position.items() if k != "currency"}


def position(
    allocated: str = "0.00",
    accrued: str = "0.00",
    reserved: str = "0.00",
    claimed: str = "0.00",
    disbursed: str = "0.00",
    expired: str = "0.00",
    available: str = "0.00",
) -> dict[str, str]:
    """An expected fund position, written by hand in the tests."""
    return {
        "allocated": allocated,
        "accrued": accrued,
        "reserved": reserved,
        "claimed": claimed,
        "disbursed": disbursed,
        "expired": expired,
        "available": available,
    }


async def outbox(settings: MdfSettings) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(sync_url(settings.database_url))
    try:
        rows = await conn.fetch("SELECT event_type, partition_key, sequence, payload FROM outbox ORDER BY id")
    finally:
        await conn.close()
    return [
        {
            "type": r["event_type"],
            "partner": r["partition_key"],
            "sequence": r["sequence"],
            "data": orjson.loads(r["payload"])["data"],
        }
        for r in rows
    ]


async def fetch(settings: MdfSettings, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(sync_url(settings.database_url))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()
