"""The HTTP side of the demo loader: tokens, signed webhooks and idempotent calls to the real APIs."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from servicekit.auth import SCOPES, mint_token
from servicekit.settings import DEV_TOKEN_SECRET, DEV_WEBHOOK_SECRET


class DemoError(RuntimeError):
    """A call the demo needs was refused."""


def staff_token() -> str:
    """A token with every staff scope, signed with the secret the services share in development."""
    secret = os.environ.get("LEDGER_TOKEN_SECRET", DEV_TOKEN_SECRET)
    staff = sorted(s for s in SCOPES if not s.startswith("partner:"))
    return mint_token(secret, subject="demo-manager", scopes=staff, ttl_seconds=7 * 24 * 3600)


def partner_token(partner_id: str) -> str:
    secret = os.environ.get("LEDGER_TOKEN_SECRET", DEV_TOKEN_SECRET)
    return mint_token(
        secret,
        subject=f"demo-{partner_id}",
        scopes=sorted(s for s in SCOPES if s.startswith("partner:")),
        partner_id=partner_id,
        ttl_seconds=7 * 24 * 3600,
    )


@dataclass
class Api:
    """One service's API with the demo's manager token; every write carries a stable Idempotency-Key."""

    client: httpx.AsyncClient
    token: str
    seed: int

    async def call(self, method: str, path: str, body: Any = None, *, key: str | None = None,
                   accept: tuple[int, ...] = (409,)) -> httpx.Response:  # fmt: skip
        headers = {"Authorization": f"Bearer {self.token}"}
        if method != "GET":
            digest = hashlib.sha256(orjson.dumps([method, path, body])).hexdigest()[:24]
            headers["Idempotency-Key"] = f"demo-{self.seed}-{key or digest}"[:200]
        for attempt in range(5):
            response = await self.client.request(method, path, json=body, headers=headers)
            if response.status_code < 300 or response.status_code in accept:
                return response
            if response.status_code in (409,) and "in flight" in response.text and attempt < 4:
                await asyncio.sleep(0.2)
                continue
            break
        raise DemoError(f"{method} {self.client.base_url}{path} -> {response.status_code}: {response.text[:500]}")

    async def until(self, method: str, path: str, body: Any = None, *, key: str | None = None,
                    waiting_for: str, patience: float = 90.0) -> httpx.Response:  # fmt: skip
        """Retry while the answer says the service has not yet heard of something (``waiting_for``)."""
        deadline = time.monotonic() + patience
        while True:
            try:
                return await self.call(method, path, body, key=key)
            except DemoError as error:
                if waiting_for not in str(error) or time.monotonic() > deadline:
                    raise
            await asyncio.sleep(0.5)


def signed_generic_delivery(delivery_id: str, records: list[dict[str, Any]]) -> tuple[bytes, dict[str, str]]:
    """A generic CRM webhook delivery signed like the CRM's relay: ``t=<unix s>,v1=HMAC-SHA256("t.body")``."""
    secret = os.environ.get("REGISTRATION_GENERIC_SECRET", DEV_WEBHOOK_SECRET).encode()
    body = orjson.dumps({"delivery_id": delivery_id, "records": records})
    stamp = int(time.time())
    digest = hmac.new(secret, str(stamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return body, {"X-Signature": f"t={stamp},v1={digest}", "Content-Type": "application/json"}
