"""The owner services' APIs that insights calls on the caller's behalf, with the caller's own bearer
token: registration's flag decisions and the ledger's quarterly reconciliation."""

from __future__ import annotations

from typing import Any

import httpx

from ..application.anomalies import DecideFlag
from ..domain.money_errors import UpstreamRefused, UpstreamUnavailable


def _headers(token: str, idempotency_key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    return headers


async def _send(service: str, client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    try:
        response = await client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        raise UpstreamUnavailable(f"{service} {method} {path}: {exc.__class__.__name__}") from exc
    try:
        body = response.json()
    except ValueError:
        body = {"detail": response.text[:300]}
    if not isinstance(body, dict):
        raise UpstreamUnavailable(f"{service} {method} {path}: not a JSON object")
    if response.status_code >= 500:
        raise UpstreamUnavailable(f"{service} {method} {path} answered {response.status_code}")
    if response.status_code >= 400:
        raise UpstreamRefused(response.status_code, body)
    return body


class HttpFlagDecisions:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def decide(self, command: DecideFlag) -> dict[str, Any]:
        path = f"/deals/{command.deal_id}/flags/{command.reason}/{command.decision}"
        headers = _headers(command.token, command.idempotency_key)
        return await _send("registration", self.client, "POST", path, json={"note": command.note}, headers=headers)


class HttpLedgerReconciliation:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def reconciliation(self, period: str, token: str) -> dict[str, Any]:
        return await _send(
            "ledger", self.client, "GET", "/reconciliation", params={"period": period}, headers=_headers(token)
        )
