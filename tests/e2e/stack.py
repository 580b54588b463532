"""The whole system in one event loop: three APIs in process, three relays and every consumer.

The APIs run on a clock the test moves (business days), the workers on real PostgreSQL databases
(one per service) and the real broker, exactly as the processes run them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import httpx
from ledger.config import LedgerSettings
from ledger.entrypoints.api import create_app as ledger_app
from ledger.entrypoints.projector import PROJECTOR
from mdf.config import MdfSettings
from mdf.entrypoints.api import create_app as mdf_app
from mdf.entrypoints.consumer import LEDGER_FEED
from registration.config import RegistrationSettings
from registration.entrypoints.api import create_app as registration_app
from registration.entrypoints.tiers import TIER_CONSUMER
from servicekit.testing.client import app_client

from .reconcile_stack import with_peer_tokens
from .workers import consumer_task, relay_task


class BusinessClock:
    """The day the services believe it is; the walk moves it forward."""

    def __init__(self, today: date) -> None:
        self.today = today

    def now(self) -> datetime:
        return datetime.combine(self.today, time(12), tzinfo=UTC)


@dataclass
class Stack:
    registration: httpx.AsyncClient
    mdf: httpx.AsyncClient
    ledger: httpx.AsyncClient
    clock: BusinessClock


@asynccontextmanager
async def running_stack(
    registration: RegistrationSettings, mdf: MdfSettings, ledger: LedgerSettings, today: date
) -> AsyncIterator[Stack]:
    clock = BusinessClock(today)
    async with AsyncExitStack() as stack:
        reg_client = await stack.enter_async_context(app_client(registration_app(registration, clock=clock)))
        mdf_client = await stack.enter_async_context(app_client(mdf_app(mdf, clock=clock)))

        @asynccontextmanager
        async def in_process(_: LedgerSettings) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
            yield mdf_client, reg_client

        # the reconciliation reads the in-process services
        led_app = ledger_app(with_peer_tokens(ledger, mdf, registration), peers=in_process)
        led_client = await stack.enter_async_context(app_client(led_app))
        await stack.enter_async_context(relay_task(registration, "registration"))
        await stack.enter_async_context(relay_task(mdf, "mdf"))
        await stack.enter_async_context(relay_task(ledger, "ledger"))
        await stack.enter_async_context(consumer_task(ledger, PROJECTOR))
        await stack.enter_async_context(consumer_task(mdf, LEDGER_FEED))
        await stack.enter_async_context(consumer_task(registration, TIER_CONSUMER))
        yield Stack(reg_client, mdf_client, led_client, clock)
