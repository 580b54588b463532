"""The shared edge on registration (issue 13, defects 3, 7 and 8): NUL characters are 422 naming
the field with nothing stored, 401 carries WWW-Authenticate, 405 carries Allow, and an
Idempotency-Key replays the same JSON however it is formatted."""

from __future__ import annotations

import json

from .helpers import deal_body, enroll, fetch, manager, partner_body, partner_token


def location(response) -> str:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return str(response.json()["errors"][0]["location"])


async def test_a_nul_anywhere_is_422_naming_the_field_and_nothing_is_stored(registration_client, registration_settings):
    staff = manager(registration_settings)
    refused = await registration_client.post("/partners", json=partner_body("p1", name="Acme\u0000"), headers=staff)
    assert location(refused) == "body.name"
    await enroll(registration_client, registration_settings, "p1")
    partner = partner_token(registration_settings, "p1")
    body = deal_body("d-1", "p1", customer_name="Glo\u0000bex")
    assert location(await registration_client.post("/deals", json=body, headers=partner)) == "body.customer_name"
    assert location(await registration_client.get("/deals/a%00b", headers=partner)) == "path.deal_id"
    assert location(await registration_client.get("/deals", params={"customer": "\u0000"}, headers=partner)) == (
        "query.customer"
    )
    assert location(await registration_client.patch("/partners/p%001", json={}, headers=staff)) == "path.partner_id"
    assert [r["partner_id"] for r in await fetch(registration_settings, "SELECT partner_id FROM partners")] == ["p1"]
    assert await fetch(registration_settings, "SELECT deal_id FROM deals") == []


async def test_401_and_405_name_what_is_expected(registration_client, registration_settings):
    missing = await registration_client.get("/deals")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    invalid = await registration_client.get("/deals", headers={"Authorization": "Bearer x.y.z"})
    assert invalid.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    not_allowed = await registration_client.delete("/partners/p1")
    assert not_allowed.status_code == 405
    assert not_allowed.headers["allow"] == "GET, PATCH"
    assert (await registration_client.put("/deals")).headers["allow"] == "GET, POST"
    assert (await registration_client.get("/webhooks/generic")).headers["allow"] == "POST"


async def test_the_same_json_formatted_otherwise_replays_under_its_idempotency_key(
    registration_client, registration_settings
):
    headers = {**manager(registration_settings), "Idempotency-Key": "enroll-p1", "Content-Type": "application/json"}
    body = partner_body("p1")
    first = await registration_client.post("/partners", content=json.dumps(body), headers=headers)
    assert first.status_code == 201, first.text
    reformatted = json.dumps(dict(reversed(list(body.items()))), indent=2)
    again = await registration_client.post("/partners", content=reformatted, headers=headers)
    assert again.status_code == 201, again.text
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    other = await registration_client.post("/partners", content=json.dumps({**body, "name": "Other"}), headers=headers)
    assert other.status_code == 422
    assert other.json()["type"].endswith("idempotency-key-reused")
