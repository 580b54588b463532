"""An in-process HTTP client for an app, with its lifespan running, and token helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from ..auth import mint_token
from ..settings import ServiceSettings


@asynccontextmanager
async def app_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def auth_header(
    settings: ServiceSettings,
    *scopes: str,
    partner_id: str | None = None,
    subject: str = "tester",
    allow_staff_scopes: bool = False,
) -> dict[str, str]:
    token = mint_token(
        settings.token_secret.get_secret_value(),
        subject=subject,
        scopes=list(scopes),
        partner_id=partner_id,
        allow_staff_scopes=allow_staff_scopes,
    )
    return {"Authorization": f"Bearer {token}"}
