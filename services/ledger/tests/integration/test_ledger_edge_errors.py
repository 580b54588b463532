"""The shared edge on the ledger (issue 13, defects 3 and 7): NUL characters in paths, queries and
bodies are 422 naming the field, 401 carries WWW-Authenticate, 405 carries Allow."""

from __future__ import annotations

import asyncpg
from servicekit.db import sync_url
from servicekit.testing.client import auth_header

NUL_MESSAGE = "NUL characters (\\u0000) are not accepted"

DOC = """\
program: growth
title: "{title}"
tiers:
  levels:
    - id: registered
rebate:
  percent:
    registered: {{default: 5}}
clawback: {{window_days: 60}}
"""


async def versions(settings) -> int:
    conn = await asyncpg.connect(sync_url(settings.database_url))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM program_versions"))
    finally:
        await conn.close()


def location(response) -> str:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return str(response.json()["errors"][0]["location"])


async def test_a_nul_in_a_path_parameter_a_partner_can_send_is_422(ledger_client, ledger_settings):
    partner = auth_header(ledger_settings, "partner:read", partner_id="p1")
    assert location(await ledger_client.get("/entries/a%00b", headers=partner)) == "path.entry_id"
    assert location(await ledger_client.get("/entries/a%00b/explain", headers=partner)) == "path.entry_id"
    reader = auth_header(ledger_settings, "ledger:read")
    assert location(await ledger_client.get("/entries", params={"deal_id": "d\u0000"}, headers=reader)) == (
        "query.deal_id"
    )
    assert (await ledger_client.get("/entries/ab", headers=partner)).status_code == 404


async def test_a_nul_in_a_program_document_is_422_and_nothing_is_stored(ledger_client, ledger_settings):
    admin = auth_header(ledger_settings, "program:admin")
    as_json = await ledger_client.post(
        "/programs/growth/versions", json={"document": DOC.format(title="Growth\u0000")}, headers=admin
    )
    assert location(as_json) == "body.document"
    # A YAML escape that decodes to NUL, in a YAML body and in a JSON-wrapped document.
    escaped = DOC.format(title="Growth\\0")
    as_yaml = await ledger_client.post(
        "/programs/growth/versions", content=escaped, headers={**admin, "Content-Type": "application/yaml"}
    )
    assert as_yaml.status_code == 422, as_yaml.text
    assert "title" in as_yaml.json()["detail"]
    wrapped = await ledger_client.post("/programs/growth/versions", json={"document": escaped}, headers=admin)
    assert wrapped.status_code == 422, wrapped.text
    assert "title" in wrapped.json()["detail"]
    assert await versions(ledger_settings) == 0


async def test_401_and_405_name_what_is_expected(ledger_client, ledger_settings):
    missing = await ledger_client.get("/entries")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    expired = await ledger_client.get("/entries", headers={"Authorization": "Bearer x.y.z"})
    assert expired.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    not_allowed = await ledger_client.delete("/entries")
    assert not_allowed.status_code == 405
    assert not_allowed.headers["allow"] == "GET"
    assert (await ledger_client.put("/payout-batches")).headers["allow"] == "GET, POST"


async def test_json_zero_or_one_is_not_a_yes_or_no(ledger_client, ledger_settings):
    """Found by schemathesis' negative-data check: pydantic read 0/1 as booleans in request bodies."""
    admin = auth_header(ledger_settings, "program:admin")
    change = {"changes": [{"partner_id": "p1", "effective_on": "2026-01-01", "member": 0}]}
    assert location(await ledger_client.post("/cohorts/pilot-a/changes", json=change, headers=admin)) == (
        "body.changes.0.member"
    )
    created = await ledger_client.post(
        "/programs/growth/versions", json={"document": DOC.format(title="G")}, headers=admin
    )
    assert created.status_code == 201, created.text
    version = created.json()["version"]
    publish = {"effective_from": "2026-01-01", "correction": 1}
    answer = await ledger_client.post(f"/programs/growth/versions/{version}/publish", json=publish, headers=admin)
    assert location(answer) == "body.correction"
