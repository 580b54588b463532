"""Partners and deals through the HTTP API, against real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import orjson
from registration.config import RegistrationSettings
from servicekit.db import sync_url
from servicekit.testing.client import auth_header

PARTNER = {
    "partner_id": "acme",
    "name": "Acme Resellers",
    "partner_type": "reseller",
    "region": "EMEA",
    "domain": "acme.example",
}


async def _outbox(settings: RegistrationSettings) -> list[dict]:
    conn = await asyncpg.connect(sync_url(settings.database_url))
    try:
        rows = await conn.fetch("SELECT event_type, sequence, payload FROM outbox ORDER BY id")
    finally:
        await conn.close()
    return [{"type": r["event_type"], "sequence": r["sequence"], "event": orjson.loads(r["payload"])} for r in rows]


async def test_enroll_register_and_win_write_events_to_the_outbox(registration_client, registration_settings, clock):
    admin = auth_header(registration_settings, "partners:write", "deals:write", "deals:read")
    response = await registration_client.post("/partners", json=PARTNER, headers=admin)
    assert response.status_code == 201, response.text
    deal = {
        "deal_id": "d1",
        "partner_id": "acme",
        "customer_name": "Globex",
        "customer_domain": "globex.example",
        "product_line": "cloud",
        "expected_amount": {"amount": "1000.00", "currency": "USD"},
        "expected_close": "2026-12-01",
    }
    assert (await registration_client.post("/deals", json=deal, headers=admin)).status_code == 201
    for stage in ("qualified", "proposal", "negotiation"):
        moved = await registration_client.post("/deals/d1/stage", json={"stage": stage}, headers=admin)
        assert moved.status_code == 200, moved.text
    clock.current = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a close is not in the future (issue 13)
    won = await registration_client.post(
        "/deals/d1/won",
        json={"amount": {"amount": "1200.00", "currency": "USD"}, "closed_on": "2026-11-30"},
        headers=admin,
    )
    assert won.status_code == 200, won.text
    assert won.json()["stage"] == "won"
    outbox = await _outbox(registration_settings)
    assert [o["type"] for o in outbox] == [
        "partner.enrolled",
        "deal.registered",
        "deal.approved",
        "deal.stage_changed",
        "deal.stage_changed",
        "deal.stage_changed",
        "deal.won",
    ]
    assert [o["sequence"] for o in outbox] == [1, 2, 3, 4, 5, 6, 7]
    assert outbox[-1]["event"]["data"]["amount"] == {"amount": "1200.00", "currency": "USD"}
    assert all(o["event"]["subject"] == "acme" for o in outbox)


async def test_bad_input_is_a_problem_and_changes_nothing(registration_client, registration_settings):
    admin = auth_header(registration_settings, "partners:write", "deals:write")
    malformed = await registration_client.post(
        "/partners", content=b"{not json", headers={**admin, "Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.headers["content-type"] == "application/problem+json"
    wrong_type = await registration_client.post("/partners", json={**PARTNER, "partner_type": 7}, headers=admin)
    assert wrong_type.status_code == 422
    assert "partner_type" in wrong_type.json()["detail"]
    no_token = await registration_client.post("/partners", json=PARTNER)
    assert no_token.status_code == 401
    wrong_scope = await registration_client.post(
        "/partners", json=PARTNER, headers=auth_header(registration_settings, "deals:read")
    )
    assert wrong_scope.status_code == 403
    unknown_partner = await registration_client.post(
        "/deals",
        json={
            "partner_id": "nobody",
            "customer_name": "X",
            "product_line": "cloud",
            "expected_amount": {"amount": "10", "currency": "USD"},
            "expected_close": "2026-12-01",
        },
        headers=admin,
    )
    assert unknown_partner.status_code == 422
    float_amount = await registration_client.post(
        "/deals",
        json={
            "partner_id": "acme",
            "customer_name": "X",
            "product_line": "cloud",
            "expected_amount": {"amount": 10.5, "currency": "USD"},
            "expected_close": "2026-12-01",
        },
        headers=admin,
    )
    assert float_amount.status_code == 422
    for r in (malformed, wrong_type, no_token, wrong_scope, unknown_partner, float_amount):
        assert r.headers["content-type"] == "application/problem+json"
        assert "Traceback" not in r.text
    assert await _outbox(registration_settings) == []


async def test_idempotency_key_replays_rejects_changed_body(registration_client, registration_settings):
    admin = {**auth_header(registration_settings, "partners:write"), "Idempotency-Key": "k-1"}
    first = await registration_client.post("/partners", json=PARTNER, headers=admin)
    again = await registration_client.post("/partners", json=PARTNER, headers=admin)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers.get("idempotent-replayed") == "true"
    changed = await registration_client.post("/partners", json={**PARTNER, "name": "Other"}, headers=admin)
    assert changed.status_code == 422
    assert len(await _outbox(registration_settings)) == 1
