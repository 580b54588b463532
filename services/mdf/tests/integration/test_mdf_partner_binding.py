"""A partner-bound token is confined to its partner whatever its scopes (issue 13, defect 1): bound to
acme with ``mdf:write`` it approved zeta's requests and claims and allocated to zeta."""

from __future__ import annotations

from datetime import date

from mdf_api import MdfApi, eur, fetch
from servicekit.testing.client import auth_header


async def test_a_partner_bound_mdf_write_token_decides_nothing_for_anyone(mdf_client, mdf_settings, clock):
    api = MdfApi(mdf_client, mdf_settings)
    await api.budget("50000.00")
    await api.allocate("acme", "10000.00")
    await api.allocate("zeta", "10000.00")
    await api.submit("zeta", "zeta-r1", "1000.00")
    await api.submit("acme", "acme-r1", "1000.00")
    await api.approve("zeta-r1")
    clock.set(date(2026, 5, 12))
    await api.claim("zeta", "zeta-r1", "zeta-c1", "1000.00", "2000.00")
    before = await fetch(mdf_settings, "SELECT request_id, status FROM mdf_requests ORDER BY request_id")
    claims = await fetch(mdf_settings, "SELECT claim_id, status FROM mdf_claims ORDER BY claim_id")
    allocations = await fetch(mdf_settings, "SELECT count(*) AS n FROM allocations")

    bound = auth_header(mdf_settings, "mdf:write", "mdf:read", partner_id="acme", allow_staff_scopes=True)
    for path, body in [
        ("/requests/zeta-r1/reject", {"reason": "no"}),
        ("/requests/acme-r1/approve", {}),  # its own partner's too: approvals are the vendor's
        ("/claims/zeta-c1/approve", {}),
        ("/allocations", {"partner_id": "zeta", "period": "2026-Q2", "amount": eur("5.00")}),
        ("/allocations", {"partner_id": "acme", "period": "2026-Q2", "amount": eur("5.00")}),
    ]:
        refused = await api.write("POST", path, body, bound)
        assert refused.status_code == 403, (path, refused.text)
    assert (await mdf_client.put("/budgets/2026-Q3", json={"amount": eur("1.00")}, headers=bound)).status_code == 403
    assert (await mdf_client.get("/requests/zeta-r1", headers=bound)).status_code == 404
    listed = (await mdf_client.get("/requests", headers=bound)).json()["items"]
    assert [r["request_id"] for r in listed] == ["acme-r1"]

    assert await fetch(mdf_settings, "SELECT request_id, status FROM mdf_requests ORDER BY request_id") == before
    assert await fetch(mdf_settings, "SELECT claim_id, status FROM mdf_claims ORDER BY claim_id") == claims
    assert await fetch(mdf_settings, "SELECT count(*) AS n FROM allocations") == allocations
