"""Composition of the cross-service reconciliation: peer HTTP clients from the settings, the ledger's
book and run log on the engine. The CLI and the API share it (tests hand in in-process clients)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from ..adapters.peer_clients import HttpMdfFunds, HttpWonDeals
from ..adapters.reconciliation_runs import TransactionalRunLog
from ..adapters.service_book import SqlLedgerBook
from ..application.service_reconciliation import ReconciliationRun, Sources, reconcile, reconcile_and_record
from ..config import LedgerSettings

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


def sources(settings: LedgerSettings, peers: Peers, engine: AsyncEngine) -> Sources:
    def secret(value: object) -> str | None:
        return None if value is None else str(value.get_secret_value())  # type: ignore[attr-defined]

    mdf, registration = peers
    return Sources(
        mdf=HttpMdfFunds(mdf, secret(settings.mdf_token)),
        registration=HttpWonDeals(registration, secret(settings.registration_token)),
        book=SqlLedgerBook(engine),
    )


def _now() -> datetime:
    return datetime.now(UTC)


async def run_now(
    settings: LedgerSettings, engine: AsyncEngine, peers: PeerFactory, *, run_by: str
) -> ReconciliationRun:
    """Compare now, without recording (the API's live answer)."""
    async with peers(settings) as clients:
        return await reconcile(sources(settings, clients, engine), now=_now, run_by=run_by)


async def run_and_record(
    settings: LedgerSettings, engine: AsyncEngine, peers: PeerFactory, *, run_by: str, confirm_after: float = 0.0
) -> ReconciliationRun:
    """Compare and store the run (the CLI and the CronJob): the API's gauges read the latest."""
    async with peers(settings) as clients:
        return await reconcile_and_record(
            sources(settings, clients, engine),
            TransactionalRunLog(engine),
            now=_now,
            run_by=run_by,
            confirm_after=confirm_after,
        )


__all__ = ["PeerFactory", "peer_clients", "run_and_record", "run_now"]
