"""A thin client for the governance API used by the integration tests (every write sends an Idempotency-Key)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from governance.config import GovernanceSettings
from servicekit.testing.client import auth_header


class GovernanceApi:
    def __init__(self, client: httpx.AsyncClient, settings: GovernanceSettings) -> None:
        self.client = client
        self.settings = settings
        self.manager = auth_header(settings, "governance:write", subject="sam")
        self.reader = auth_header(settings, "governance:read", subject="analyst")
        self.program_office = auth_header(settings, "program:admin", subject="pat")

    def partner(self, partner_id: str) -> dict[str, str]:
        return auth_header(
            self.settings, "partner:read", "partner:write", partner_id=partner_id, subject=f"{partner_id}-user"
        )

    async def write(
        self, method: str, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        headers = {**(headers or self.manager), "Idempotency-Key": uuid.uuid4().hex}
        return await self.client.request(method, path, json=body if body is not None else {}, headers=headers)

    async def ok(
        self, method: str, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> Any:
        response = await self.write(method, path, body, headers)
        assert response.status_code in (200, 201), response.text
        return response.json()

    async def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        response = await self.client.get(path, headers=headers or self.manager, params=params)
        assert response.status_code == 200, response.text
        return response.json()


def plan_body(plan_id: str, partner_id: str, year: int = 2026) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "partner_id": partner_id,
        "year": year,
        "target_segments": ["mid-market manufacturing"],
        "value_propositions": ["analytics in 90 days"],
        "co_branded_materials": ["solution brief"],
        "activities": [
            {
                "activity_id": "asp",
                "kind": "annual_strategic_plan",
                "title": "Annual strategic plan",
                "partner_owner": "Katrin Meyer",
                "vendor_owner": "Sam Lee",
                "due_on": f"{year}-01-31",
            },
            {
                "activity_id": "qbr-q1",
                "kind": "qbr",
                "title": "Q1 business review",
                "partner_owner": "Katrin Meyer",
                "vendor_owner": "Sam Lee",
                "due_on": f"{year}-03-31",
            },
            {
                "activity_id": "qbr-q2",
                "kind": "qbr",
                "title": "Q2 business review",
                "partner_owner": "Katrin Meyer",
                "vendor_owner": "Sam Lee",
                "due_on": f"{year}-06-30",
            },
        ],
        "criteria": [{"criterion_id": "rituals", "metric": "rituals_held", "target": "4"}],
    }
