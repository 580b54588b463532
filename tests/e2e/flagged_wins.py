"""The flag-review setup two end-to-end tests share: partner ``acme`` and two deals won the day they
were registered (flagged ``registered_near_close`` at the win), d1 for 10,000 and d2 for 5,000 USD."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import Any

import httpx


class Clock:
    def now(self) -> datetime:
        return datetime.combine(date(2026, 5, 15), time(12), UTC)


async def win_two_flagged_deals(reg: httpx.AsyncClient, admin: dict[str, str]) -> None:
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


async def balances(led: httpx.AsyncClient, reader: dict[str, str]) -> dict[str, str]:
    """acme's non-zero ledger balances by purpose."""
    response = await led.get("/partners/acme/balances", headers=reader)
    if response.status_code != 200:
        return {}
    return {b["purpose"]: b["balance"] for b in response.json()["balances"] if b["balance"] != "0.00"}


async def equals(read: Callable[[], Awaitable[Any]], expected: Any) -> Any:
    value = await read()
    return value if value == expected else None
