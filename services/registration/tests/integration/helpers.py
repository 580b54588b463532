"""Helpers for the registration integration tests."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import orjson
from registration.config import RegistrationSettings
from registration.entrypoints.crm_worker import DrainCounts, drain_crm_inbox
from servicekit.container import app_container
from servicekit.db import sync_url
from servicekit.testing.client import auth_header

MANAGER_SCOPES = ("partners:write", "deals:write", "deals:read")


def manager(settings: RegistrationSettings) -> dict[str, str]:
    return auth_header(settings, *MANAGER_SCOPES, subject="manager:jo")


def partner_token(settings: RegistrationSettings, partner_id: str) -> dict[str, str]:
    return auth_header(settings, "partner:read", "partner:write", partner_id=partner_id, subject=f"user@{partner_id}")


async def fetch(settings: RegistrationSettings, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(sync_url(settings.database_url))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def outbox(settings: RegistrationSettings) -> list[dict[str, Any]]:
    rows = await fetch(settings, "SELECT event_type, sequence, payload FROM outbox ORDER BY id")
    return [{"type": r["event_type"], "sequence": r["sequence"], "event": orjson.loads(r["payload"])} for r in rows]


async def outbox_types(settings: RegistrationSettings) -> list[str]:
    return [o["type"] for o in await outbox(settings)]


def partner_body(partner_id: str, **changes: Any) -> dict[str, Any]:
    body = {
        "partner_id": partner_id,
        "name": f"{partner_id.title()} Ltd",
        "partner_type": "reseller",
        "region": "EMEA",
        "domain": f"{partner_id}.example",
        "enrolled_on": "2026-01-01",
    }
    body.update(changes)
    return body


def deal_body(deal_id: str, partner_id: str, **changes: Any) -> dict[str, Any]:
    body = {
        "deal_id": deal_id,
        "partner_id": partner_id,
        "customer_name": "Globex Inc",
        "customer_domain": "globex.example",
        "product_line": "cloud",
        "expected_amount": {"amount": "1000.00", "currency": "USD"},
        "expected_close": "2026-06-30",
    }
    body.update(changes)
    return body


async def enroll(client: httpx.AsyncClient, settings: RegistrationSettings, *partner_ids: str) -> None:
    for partner_id in partner_ids:
        response = await client.post("/partners", json=partner_body(partner_id), headers=manager(settings))
        assert response.status_code == 201, response.text


async def register(
    client: httpx.AsyncClient, settings: RegistrationSettings, deal_id: str, partner_id: str, **changes: Any
) -> dict[str, Any]:
    response = await client.post("/deals", json=deal_body(deal_id, partner_id, **changes), headers=manager(settings))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def advance(
    client: httpx.AsyncClient, settings: RegistrationSettings, deal_id: str, *stages: str
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for stage in stages:
        response = await client.post(f"/deals/{deal_id}/stage", json={"stage": stage}, headers=manager(settings))
        assert response.status_code == 200, response.text
        body = response.json()
    return body


async def drain(client: httpx.AsyncClient) -> DrainCounts:
    """Run the crm-sync worker's drain once over everything the webhooks stored (as the worker would)."""
    app = client._transport.app  # type: ignore[attr-defined]
    sync = app_container(app).crm_sync()
    return await drain_crm_inbox(app_container(app).runtime.uow_factory, sync)


async def deliver(client: httpx.AsyncClient, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    """POST a webhook delivery, then let the worker apply what was stored."""
    response = await client.post(path, content=body, headers=headers)
    await drain(client)
    return response
