"""GET /won-deals: the won deals with their money and open flags, keyset pages, partner tokens confined."""

from __future__ import annotations

from servicekit.testing.client import auth_header

from .helpers import advance, enroll, manager, partner_token, register


async def _win(client, settings, deal_id: str, amount: str, closed_on: str) -> None:
    await advance(client, settings, deal_id, "qualified", "proposal", "negotiation")
    won = await client.post(
        f"/deals/{deal_id}/won",
        json={"amount": {"amount": amount, "currency": "USD"}, "closed_on": closed_on},
        headers=manager(settings),
    )
    assert won.status_code == 200, won.text


async def test_won_and_reversed_deals_are_exported_with_amounts_and_open_flags(
    registration_client, registration_settings
):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1", "p2")
    await register(client, settings, "d1", "p1")
    await register(client, settings, "d2", "p2", customer_domain="initech.example", customer_name="Initech")
    await register(client, settings, "d3", "p1", customer_domain="hooli.example", customer_name="Hooli")
    await _win(client, settings, "d1", "1200.00", "2026-03-02")  # registered the day it closed: flagged near close
    await _win(client, settings, "d2", "800.00", "2026-02-27")
    reversal = await client.post(
        "/deals/d2/reversal", json={"kind": "cancelled", "reason": "void"}, headers=manager(settings)
    )
    assert reversal.status_code == 200, reversal.text
    auditor = auth_header(settings, "audit:read", subject="ledger-reconcile")

    first = await client.get("/won-deals", params={"limit": 1}, headers=auditor)
    assert first.status_code == 200, first.text
    second = await client.get("/won-deals", params={"limit": 1, "cursor": first.json()["next_cursor"]}, headers=auditor)
    items = first.json()["items"] + second.json()["items"]

    assert second.json()["next_cursor"] is None
    assert [
        (d["deal_id"], d["partner_id"], d["status"], d["amount"], d["closed_on"], d["reversed_amount"], d["open_flags"])
        for d in items
    ] == [
        ("d1", "p1", "won", {"amount": "1200.00", "currency": "USD"}, "2026-03-02", "0", ["registered_near_close"]),
        (
            "d2",
            "p2",
            "reversed",
            {"amount": "800.00", "currency": "USD"},
            "2026-02-27",
            "800.00",
            ["registered_after_close"],
        ),
    ]
    own = await client.get("/won-deals", headers=partner_token(settings, "p2"))
    assert [d["deal_id"] for d in own.json()["items"]] == ["d2"]
    other = await client.get("/won-deals", params={"partner_id": "p1"}, headers=partner_token(settings, "p2"))
    assert other.json()["items"] == []
    assert (await client.get("/won-deals", headers=auth_header(settings, "mdf:read"))).status_code == 403
