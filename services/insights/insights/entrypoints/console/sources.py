"""Where a page's figures come from: insights' own APIs (in process), and the owner services' APIs,
always with the viewer's own token, so a page shows exactly what the API answers that viewer.

Nothing here raises: every answer is an :class:`Answer` with the data or the reason there is none
(the API's own problem detail, or "not reachable"), which the page shows in place of the figure.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx
from fastapi import FastAPI

from ...config import InsightsSettings

SERVICE_NAMES = {
    "insights": "insights",
    "ledger": "the ledger",
    "registration": "registration",
    "mdf": "MDF",
    "governance": "governance",
}


@dataclass(frozen=True)
class Answer:
    data: Any
    status: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def items(self) -> list[Any]:
        """The page's rows (``items`` of a page, or the list itself); empty when there is no data."""
        if isinstance(self.data, dict):
            found = self.data.get("items", [])
            return found if isinstance(found, list) else []
        return self.data if isinstance(self.data, list) else []


def _problem_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"answered {response.status_code}"
    if isinstance(body, dict):
        detail = body.get("detail") or body.get("title")
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            where = f"{errors[0].get('location', '')}: {errors[0].get('message', '')}"
            detail = detail if where in str(detail) else f"{detail} ({where})"
        return str(detail or f"answered {response.status_code}")
    return f"answered {response.status_code}"


class Sources:
    """One page's clients: insights in process, the owner services over HTTP, all with one token."""

    def __init__(self, clients: dict[str, httpx.AsyncClient], token: str) -> None:
        self.clients = clients
        self.token = token

    async def get(self, service: str, path: str, **params: Any) -> Answer:
        query = {k: v for k, v in params.items() if v is not None and v != ""}
        return await self._send(service, "GET", path, params=query)

    async def post(self, service: str, path: str, body: dict[str, Any], *, idempotency_key: str) -> Answer:
        return await self._send(service, "POST", path, json=body, headers={"Idempotency-Key": idempotency_key})

    async def put(self, service: str, path: str, body: dict[str, Any], *, idempotency_key: str) -> Answer:
        return await self._send(service, "PUT", path, json=body, headers={"Idempotency-Key": idempotency_key})

    async def delete(self, service: str, path: str, *, idempotency_key: str) -> Answer:
        return await self._send(service, "DELETE", path, headers={"Idempotency-Key": idempotency_key})

    async def document(self, service: str, path: str, **params: Any) -> tuple[bytes, str] | Answer:
        """A document (HTML, PDF) as the service served it, or the reason there is none."""
        headers = {"Authorization": f"Bearer {self.token}"}
        name = SERVICE_NAMES.get(service, service)
        try:
            response = await self.clients[service].get(path, headers=headers, params=params)
        except httpx.HTTPError:
            return Answer(None, 503, f"{name} is not reachable right now")
        if response.status_code >= 400:
            text = _problem_text(response) if response.status_code < 500 else f"{name} could not answer"
            return Answer(None, response.status_code, text)
        return response.content, response.headers.get("content-type", "application/octet-stream")

    async def gather(self, **calls: Any) -> dict[str, Answer]:
        """Several answers at once: ``await sources.gather(a=sources.get(...), b=...)``."""
        answers = await asyncio.gather(*calls.values())
        return dict(zip(calls.keys(), answers, strict=True))

    async def _send(self, service: str, method: str, path: str, **kwargs: Any) -> Answer:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json", **kwargs.pop("headers", {})}
        name = SERVICE_NAMES.get(service, service)
        try:
            response = await self.clients[service].request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError:
            return Answer(None, 503, f"{name} is not reachable right now")
        if response.status_code >= 500:
            return Answer(None, response.status_code, f"{name} could not answer ({response.status_code})")
        if response.status_code >= 400:
            return Answer(None, response.status_code, _problem_text(response))
        try:
            return Answer(response.json(), response.status_code)
        except ValueError:
            return Answer(None, 502, f"{name} answered something that is not JSON")


@cache
def peer_tls() -> ssl.SSLContext:
    """The TLS settings of the clients to the owner services: httpx's default, built once. (Each
    client httpx builds loads the CA bundle again: ~5 ms of CPU, four times a page.)"""
    return httpx.create_ssl_context()


@asynccontextmanager
async def sources_for(app: FastAPI, settings: InsightsSettings, token: str) -> AsyncIterator[Sources]:
    timeout = httpx.Timeout(settings.peer_timeout_seconds)
    tls = peer_tls()
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://insights", timeout=timeout) as own,
        httpx.AsyncClient(base_url=settings.ledger_url, timeout=timeout, verify=tls) as ledger,
        httpx.AsyncClient(base_url=settings.registration_url, timeout=timeout, verify=tls) as registration,
        httpx.AsyncClient(base_url=settings.mdf_url, timeout=timeout, verify=tls) as mdf,
        httpx.AsyncClient(base_url=settings.governance_url, timeout=timeout, verify=tls) as governance,
    ):
        yield Sources({"insights": own, "ledger": ledger, "registration": registration, "mdf": mdf,
                       "governance": governance}, token)  # fmt: skip
