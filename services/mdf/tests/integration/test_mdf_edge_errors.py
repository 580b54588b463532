"""The shared edge on mdf (issue 13, defects 3 and 7): NUL characters in paths, queries and bodies
are 422 naming the field with nothing stored, 401 carries WWW-Authenticate, 405 carries Allow."""

from __future__ import annotations

from mdf_api import MdfApi, outbox


def location(response) -> str:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return str(response.json()["errors"][0]["location"])


async def test_a_nul_anywhere_is_422_naming_the_field_and_nothing_is_stored(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    await api.budget("10000.00")
    await api.allocate("p1", "1000.00")
    before = await outbox(mdf_settings)
    partner = api.partner("p1")
    body = api.request_body("p1", "r-1", "100.00", title="Webinar\u0000")
    assert location(await api.write("POST", "/requests", body, partner)) == "body.title"
    body = api.request_body("p1", "r-1", "100.00", expected_results={"lea\u0000ds": 3})
    assert location(await api.write("POST", "/requests", body, partner)) == "body.expected_results.leads"
    assert location(await mdf_client.get("/requests/a%00b", headers=partner)) == "path.request_id"
    assert location(await mdf_client.get("/claims", params={"request_id": "\u0000"}, headers=partner)) == (
        "query.request_id"
    )
    assert location(await mdf_client.get("/budgets/2026-Q2%00", headers=api.reader)) == "path.period"
    assert await outbox(mdf_settings) == before
    assert (await mdf_client.get("/requests/r-1", headers=partner)).status_code == 404


async def test_401_and_405_name_what_is_expected(mdf_client, mdf_settings):
    missing = await mdf_client.get("/requests")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    invalid = await mdf_client.get("/requests", headers={"Authorization": "Bearer x.y.z"})
    assert invalid.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    not_allowed = await mdf_client.delete("/requests")
    assert not_allowed.status_code == 405
    assert not_allowed.headers["content-type"] == "application/problem+json"
    assert not_allowed.headers["allow"] == "GET, POST"
    assert (await mdf_client.post("/budgets/2026-Q2")).headers["allow"] == "GET, PUT"
