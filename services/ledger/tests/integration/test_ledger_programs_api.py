"""Program versions through the API: drafts, notice period, corrections, immutability, validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
from servicekit.db import sync_url
from servicekit.testing.client import auth_header

DOC = """\
program: growth
title: Growth 2027
tiers:
  levels:
    - id: registered
    - id: silver
      qualify: {won_revenue: {USD: 100000}, points: 20}
rebate:
  percent:
    registered: {default: 5}
    silver: {default: 7, cloud: 9}
clawback: {window_days: 60}
"""
YAML = {"Content-Type": "application/yaml"}


def _today():  # type: ignore[no-untyped-def]
    return datetime.now(UTC).date()


async def test_draft_publish_with_notice_and_read_every_version(ledger_client, ledger_settings):
    token = auth_header(ledger_settings, "program:admin")
    admin = {**token, **YAML}
    created = await ledger_client.post("/programs/growth/versions", content=DOC, headers=admin)
    assert created.status_code == 201, created.text
    assert (created.json()["version"], created.json()["status"]) == (1, "draft")
    assert created.json()["rules"]["rebate"]["percent"]["silver"] == {"default": "7", "cloud": "9"}

    too_soon = _today() + timedelta(days=29)
    refused = await ledger_client.post(
        "/programs/growth/versions/1/publish", json={"effective_from": str(too_soon)}, headers=token
    )
    assert refused.status_code == 422
    assert "inside the 30-day notice period" in refused.json()["detail"]

    no_reason = await ledger_client.post(
        "/programs/growth/versions/1/publish", json={"effective_from": str(too_soon), "correction": True}, headers=token
    )
    assert no_reason.status_code == 422
    assert "a correction needs a reason" in no_reason.json()["detail"]

    on_time = _today() + timedelta(days=30)
    published = await ledger_client.post(
        "/programs/growth/versions/1/publish",
        json={"effective_from": str(on_time)},
        headers={**token, "Idempotency-Key": "pub-1"},
    )
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert published.json()["effective_from"] == str(on_time)
    replay = await ledger_client.post(
        "/programs/growth/versions/1/publish",
        json={"effective_from": str(on_time)},
        headers={**token, "Idempotency-Key": "pub-1"},
    )
    assert replay.status_code == 200
    assert replay.headers.get("Idempotent-Replayed") == "true"
    again = await ledger_client.post(
        "/programs/growth/versions/1/publish", json={"effective_from": str(on_time)}, headers=token
    )
    assert again.status_code == 409

    fix = await ledger_client.post(
        "/programs/growth/versions", content=DOC.replace("window_days: 60", "window_days: 90"), headers=admin
    )
    assert fix.json()["version"] == 2
    corrected = await ledger_client.post(
        "/programs/growth/versions/2/publish",
        json={
            "effective_from": str(_today() - timedelta(days=10)),
            "correction": True,
            "reason": "the 60-day window was a typo in the announced terms",
        },
        headers=token,
    )
    assert corrected.status_code == 200
    assert corrected.json()["correction"] is True

    reader = auth_header(ledger_settings, "ledger:read")
    versions = (await ledger_client.get("/programs/growth/versions", headers=reader)).json()["items"]
    assert [(v["version"], v["status"]) for v in versions] == [(1, "published"), (2, "published")]
    yaml_text = await ledger_client.get("/programs/growth/versions/1?format=yaml", headers=reader)
    assert yaml_text.text == DOC
    in_force = await ledger_client.get(f"/programs/growth/in-force?on={_today()}", headers=reader)
    assert in_force.json()["version"] == 2
    default = await ledger_client.get("/programs/default/versions/0", headers=reader)
    assert default.status_code == 200
    assert default.json()["effective_from"] == "1970-01-01"
    listing = (await ledger_client.get("/programs", headers=reader)).json()["items"]
    assert [p["program_id"] for p in listing] == ["default", "growth"]

    conn = await asyncpg.connect(sync_url(ledger_settings.database_url))
    try:
        error = None
        try:
            await conn.execute("UPDATE program_versions SET reason = 'x' WHERE version = 1")
        except asyncpg.PostgresError as exc:
            error = str(exc)
        assert error
        assert "published and immutable" in error
    finally:
        await conn.close()


async def test_invalid_documents_are_refused_with_every_problem(ledger_client, ledger_settings):
    admin = {**auth_header(ledger_settings, "program:admin"), **YAML}
    bad = DOC.replace("window_days: 60", "window_days: -5").replace("title: Growth 2027", "title: G\nfoo: 1")
    bad += 'spot_audits: {rate: "1.5"}\n'
    bad += "commitment: {window_days: 90, rules: [{rule_id: r, minimum: {Points: 1}, benefits: []}]}\n"
    refused = await ledger_client.post("/programs/growth/versions", content=bad, headers=admin)
    assert refused.status_code == 422
    body = refused.json()
    assert body["title"] == "Invalid program"
    assert "clawback.window_days: Input should be greater than or equal to 0" in body["errors"]
    assert any(e.startswith("foo: unknown field") for e in body["errors"])
    assert "spot_audits.rate: Input should be less than or equal to 1" in body["errors"]
    assert any(e.startswith("commitment.rules.0.minimum: unknown metric Points") for e in body["errors"])
    assert any(e.startswith("commitment.rules.0.benefits: ") for e in body["errors"])
    as_json = await ledger_client.post(
        "/programs/other/versions", json={"document": DOC}, headers=auth_header(ledger_settings, "program:admin")
    )
    assert as_json.status_code == 422
    assert "the document is for 'growth', not 'other'" in as_json.json()["detail"]
    assert (await ledger_client.get("/programs/growth/versions", headers=admin)).status_code == 404


async def test_only_program_admins_write_and_partners_cannot_read_programs(ledger_client, ledger_settings):
    finance = {**auth_header(ledger_settings, "finance:write", "finance:read", "ledger:read"), **YAML}
    assert (await ledger_client.post("/programs/growth/versions", content=DOC, headers=finance)).status_code == 403
    partner = auth_header(ledger_settings, "partner:read", partner_id="acme")
    assert (await ledger_client.get("/programs", headers=partner)).status_code == 403
    assert (await ledger_client.get("/programs")).status_code == 401
