"""GET /funds: every fund position in key order, a keyset page at a time, partner tokens confined."""

from __future__ import annotations

from mdf_api import PERIOD, MdfApi
from servicekit.testing.client import auth_header


async def test_every_fund_is_listed_in_key_order_across_pages(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    await api.budget("1000.00")
    await api.budget("1000.00", period="2026-Q3")
    for partner, amount in (("globex", "300.00"), ("acme", "600.00"), ("initech", "50.00")):
        await api.allocate(partner, amount)
    await api.allocate("acme", "10.00", period="2026-Q3")
    auditor = auth_header(mdf_settings, "audit:read", subject="ledger-reconcile")

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await mdf_client.get("/funds", params=params, headers=auditor)
        assert page.status_code == 200, page.text
        seen += page.json()["items"]
        cursor, pages = page.json()["next_cursor"], pages + 1
        if cursor is None:
            break

    assert pages == 2
    assert [(f["partner_id"], f["period"], f["currency"], f["allocated"], f["available"]) for f in seen] == [
        ("acme", PERIOD, "EUR", "600.00", "600.00"),
        ("acme", "2026-Q3", "EUR", "10.00", "10.00"),
        ("globex", PERIOD, "EUR", "300.00", "300.00"),
        ("initech", PERIOD, "EUR", "50.00", "50.00"),
    ]
    assert set(seen[0]) >= {"accrued", "reserved", "claimed", "disbursed", "expired"}


async def test_a_partner_token_sees_only_its_own_funds_and_bad_cursors_are_400(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    await api.budget("1000.00")
    await api.allocate("acme", "600.00")
    await api.allocate("globex", "300.00")

    own = await mdf_client.get("/funds", headers=api.partner("acme"))
    assert [f["partner_id"] for f in own.json()["items"]] == ["acme"]
    other = await mdf_client.get("/funds", params={"partner_id": "globex"}, headers=api.partner("acme"))
    assert other.status_code == 404
    filtered = await mdf_client.get("/funds", params={"partner_id": "globex"}, headers=api.reader)
    assert [f["partner_id"] for f in filtered.json()["items"]] == ["globex"]

    assert (await mdf_client.get("/funds", params={"cursor": "nope"}, headers=api.reader)).status_code == 400
    assert (await mdf_client.get("/funds")).status_code == 401
    writer_only = auth_header(mdf_settings, "deals:read", subject="someone")
    assert (await mdf_client.get("/funds", headers=writer_only)).status_code == 403
