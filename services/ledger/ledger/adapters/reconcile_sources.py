"""The cross-service reconciliation's sources: peer HTTP clients from the settings (or handed in by
tests), and the ledger's own book on the engine."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from ..application.service_reconciliation import Sources
from ..config import LedgerSettings
from .peer_clients import HttpMdfFunds, HttpWonDeals
from .service_book import SqlLedgerBook

Peers = tuple[httpx.AsyncClient, httpx.AsyncClient]  # (mdf, registration)
PeerFactory = Callable[[LedgerSettings], AbstractAsyncContextManager[Peers]]


@asynccontextmanager
async def peer_clients(settings: LedgerSettings) -> AsyncIterator[Peers]:
    timeout = httpx.Timeout(settings.peer_timeout_seconds)
    async with (
        httpx.AsyncClient(base_url=settings.mdf_url, timeout=timeout) as mdf,
        httpx.AsyncClient(base_url=settings.registration_url, timeout=timeout) as registration,
    ):
        yield mdf, registration


def _secret(value: SecretStr | None) -> str | None:
    return None if value is None else value.get_secret_value()


@asynccontextmanager
async def open_sources(settings: LedgerSettings, peers: PeerFactory, engine: AsyncEngine) -> AsyncIterator[Sources]:
    """The three sources of one run (the peers' clients close when it ends)."""
    async with peers(settings) as (mdf, registration):
        yield Sources(
            mdf=HttpMdfFunds(mdf, _secret(settings.mdf_token)),
            registration=HttpWonDeals(registration, _secret(settings.registration_token)),
            book=SqlLedgerBook(engine),
        )
