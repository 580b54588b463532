"""Sending webhook deliveries over HTTP (httpx)."""

from __future__ import annotations

import httpx


class HttpSender:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        response = await self.client.post(url, content=body, headers=headers)
        return response.status_code
