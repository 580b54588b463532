"""What a partner learns through the MDF API about others (issue 13, defect 2): a role instead of a
staff member's name, and the same answer for an id it cannot use whoever holds it."""

from __future__ import annotations

from datetime import date

from mdf_api import MdfApi
from servicekit.viewer import STAFF_ROLE


async def test_partners_see_a_role_where_staff_decided_and_their_own_users_by_name(mdf_client, mdf_settings, clock):
    api = MdfApi(mdf_client, mdf_settings)
    await api.budget("50000.00")
    await api.allocate("acme", "10000.00")
    await api.submit("acme", "r1", "4000.00")
    await api.approve("r1")
    clock.set(date(2026, 5, 12))
    await api.claim("acme", "r1", "c1", "4000.00", "8000.00")
    await api.ok("POST", "/claims/c1/approve", {})

    request = (await mdf_client.get("/requests/r1", headers=api.partner("acme"))).json()
    assert (request["submitted_by"], request["approved_by"]) == ("partner:acme:acme-user", STAFF_ROLE)
    claim = (await mdf_client.get("/claims/c1", headers=api.partner("acme"))).json()
    assert (claim["submitted_by"], claim["decided_by"]) == ("partner:acme:acme-user", STAFF_ROLE)
    [allocation] = (await mdf_client.get("/partners/acme/allocations", headers=api.partner("acme"))).json()
    assert allocation["allocated_by"] == STAFF_ROLE
    listed = await mdf_client.get("/requests", headers=api.partner("acme"))
    assert "manager" not in listed.text.replace(STAFF_ROLE, "")

    staff = (await mdf_client.get("/requests/r1", headers=api.reader)).json()
    assert staff["approved_by"] == "manager"


async def test_an_id_another_partner_holds_answers_as_any_unavailable_id(mdf_client, mdf_settings, clock):
    api = MdfApi(mdf_client, mdf_settings)
    await api.budget("50000.00")
    await api.allocate("acme", "10000.00")
    await api.allocate("zeta", "10000.00")
    await api.submit("acme", "acme-plan", "1000.00")
    await api.submit("zeta", "zeta-own", "1000.00")

    theirs = await api.write("POST", "/requests", api.request_body("zeta", "acme-plan", "500.00"), api.partner("zeta"))
    again = await api.write("POST", "/requests", api.request_body("zeta", "zeta-own", "500.00"), api.partner("zeta"))
    assert theirs.status_code == again.status_code == 409
    assert theirs.json() | {"instance": None} == again.json() | {"instance": None}
    assert "acme" not in theirs.text
    assert "already exists" not in theirs.text
