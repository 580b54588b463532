"""Partners and engagement activities through the HTTP API."""

from __future__ import annotations

from servicekit.testing.client import auth_header

from .helpers import deal_body, enroll, manager, outbox, outbox_types, partner_body, partner_token


async def test_enroll_update_deactivate_with_an_event_for_every_change(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    contacts = [{"name": "Ann Lee", "email": "ann@p1.example", "role": "channel lead"}]
    enrolled = await client.post(
        "/partners",
        json=partner_body("p1", contacts=contacts, vertical="retail", domain="https://WWW.P1.example/"),
        headers=manager(settings),
    )
    assert enrolled.status_code == 201, enrolled.text
    assert (enrolled.json()["domain"], enrolled.json()["contacts"][0]["role"]) == ("p1.example", "channel lead")

    updated = await client.patch("/partners/p1", json={"region": "APAC", "vertical": None}, headers=manager(settings))
    assert updated.status_code == 200, updated.text
    assert (updated.json()["region"], updated.json()["vertical"], updated.json()["name"]) == ("APAC", None, "P1 Ltd")
    unchanged = await client.patch("/partners/p1", json={"region": "APAC"}, headers=manager(settings))
    assert unchanged.status_code == 200
    bad_email = await client.patch(
        "/partners/p1", json={"contacts": [{"name": "X", "email": "not-an-email"}]}, headers=manager(settings)
    )
    assert bad_email.status_code == 422

    gone = await client.post("/partners/p1/deactivate", json={"reason": "left the program"}, headers=manager(settings))
    assert (gone.json()["active"], gone.json()["deactivation_reason"]) == (False, "left the program")
    assert (
        await client.post("/partners/p1/deactivate", json={"reason": "again"}, headers=manager(settings))
    ).status_code == 409
    refused = await client.post("/deals", json=deal_body("d1", "p1"), headers=manager(settings))
    assert refused.status_code == 422

    events = await outbox(settings)
    assert [e["type"] for e in events] == ["partner.enrolled", "partner.updated", "partner.deactivated"]
    assert events[0]["event"]["dataschema"].endswith(":partner.enrolled:v2")
    assert events[1]["event"]["data"]["changed"] == ["region", "vertical"]


async def test_partner_reads_are_scoped(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1", "p2", "p3")
    p1 = partner_token(settings, "p1")
    assert (await client.get("/partners/p1", headers=p1)).status_code == 200
    assert (await client.get("/partners/p2", headers=p1)).status_code == 404
    assert [p["partner_id"] for p in (await client.get("/partners", headers=p1)).json()["items"]] == ["p1"]
    assert (await client.post("/partners", json=partner_body("p9"), headers=p1)).status_code == 403
    page = (await client.get("/partners?limit=2", headers=manager(settings))).json()
    rest = (await client.get(f"/partners?limit=2&cursor={page['next_cursor']}", headers=manager(settings))).json()
    assert [p["partner_id"] for p in page["items"] + rest["items"]] == ["p1", "p2", "p3"]
    assert rest["next_cursor"] is None
    reader = auth_header(settings, "deals:read")
    assert (await client.patch("/partners/p1", json={"region": "X"}, headers=reader)).status_code == 403


async def test_engagements_are_recorded_once_with_evidence_and_listed(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1", "p2")
    body = {
        "engagement_id": "e1",
        "partner_id": "p1",
        "kind": "quarterly_business_review",
        "occurred_on": "2026-02-27",
        "evidence_ref": "https://files.example/qbr.pdf",
    }
    recorded = await client.post("/engagements", json=body, headers=partner_token(settings, "p1"))
    assert recorded.status_code == 201, recorded.text
    same_activity = await client.post("/engagements", json={**body, "engagement_id": "e2"}, headers=manager(settings))
    assert same_activity.status_code == 409
    future = await client.post(
        "/engagements", json={**body, "engagement_id": "e3", "occurred_on": "2026-04-01"}, headers=manager(settings)
    )
    assert future.status_code == 422
    unknown_kind = await client.post(
        "/engagements", json={**body, "engagement_id": "e4", "kind": "golf"}, headers=manager(settings)
    )
    assert unknown_kind.status_code == 422
    other = await client.post("/engagements", json={**body, "partner_id": "p2"}, headers=partner_token(settings, "p1"))
    assert other.status_code == 404
    await client.post(
        "/engagements",
        json={**body, "engagement_id": "e5", "partner_id": "p2", "kind": "certification"},
        headers=manager(settings),
    )

    mine = (await client.get("/engagements", headers=partner_token(settings, "p1"))).json()["items"]
    assert [e["engagement_id"] for e in mine] == ["e1"]
    certs = (await client.get("/engagements?kind=certification", headers=manager(settings))).json()["items"]
    assert [e["engagement_id"] for e in certs] == ["e5"]
    assert (await client.get("/engagements/e5", headers=partner_token(settings, "p1"))).status_code == 404
    events = [o for o in await outbox(settings) if o["type"] == "engagement.recorded"]
    assert [e["event"]["data"]["engagement_id"] for e in events] == ["e1", "e5"]
    assert events[0]["event"]["data"]["evidence_ref"] == "https://files.example/qbr.pdf"
    assert (await outbox_types(settings)).count("engagement.recorded") == 2
