"""The three services running in-process for `ledger reconcile` tests: APIs on their own databases,
their relays, the ledger projector and the mdf ledger-feed consumer through the session's broker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import typer
from ledger.bootstrap import bootstrap as ledger_container
from ledger.config import LedgerSettings
from ledger.entrypoints import reconcile_cli
from ledger.entrypoints.api import create_app as ledger_app
from mdf.config import MdfSettings
from mdf.entrypoints.api import create_app as mdf_app
from pydantic import SecretStr
from registration.config import RegistrationSettings
from registration.entrypoints.api import create_app as registration_app
from servicekit.auth import mint_token
from servicekit.testing.client import app_client, auth_header
from servicekit.testing.clock import SettableClock as FixedClock
from typer.testing import CliRunner, Result

from .workers import eventually, mdf_consumer_task, projector_task, relay_task

MDF_DAY = date(2026, 11, 2)
MDF_INI = Path(__file__).resolve().parents[2] / "services/mdf/alembic.ini"
Peers = tuple[httpx.AsyncClient, httpx.AsyncClient]


def with_peer_tokens(ledger: LedgerSettings, mdf: MdfSettings, registration: RegistrationSettings) -> LedgerSettings:
    """The ledger's settings with audit:read tokens signed by each peer's own key."""

    def token(peer: MdfSettings | RegistrationSettings) -> SecretStr:
        return SecretStr(
            mint_token(peer.token_secret.get_secret_value(), subject="ledger-reconcile", scopes=["audit:read"])
        )

    return ledger.model_copy(update={"mdf_token": token(mdf), "registration_token": token(registration)})


@dataclass
class Stack:
    reg: httpx.AsyncClient
    mdf: httpx.AsyncClient
    led: httpx.AsyncClient
    settings: LedgerSettings
    mdf_settings: MdfSettings
    registration_settings: RegistrationSettings
    mdf_clock: FixedClock
    reg_relay: AsyncExitStack = field(default_factory=AsyncExitStack)
    mdf_relay: AsyncExitStack = field(default_factory=AsyncExitStack)

    @property
    def admin(self) -> dict[str, str]:
        return auth_header(self.registration_settings, "partners:write", "deals:write")

    @property
    def funds_manager(self) -> dict[str, str]:
        return auth_header(self.mdf_settings, "mdf:write", "mdf:read")

    @property
    def auditor(self) -> dict[str, str]:
        return auth_header(self.settings, "audit:read")

    async def enroll(self, partner_id: str) -> None:
        body = {"partner_id": partner_id, "name": partner_id.title(), "partner_type": "reseller", "region": "EMEA",
                "enrolled_on": "2026-09-01"}  # fmt: skip
        await ok(await self.reg.post("/partners", json=body, headers=self.admin))

    async def allocate(self, allocation_id: str, partner_id: str, period: str, amount: str, currency: str) -> None:
        budget = {"amount": {"amount": "100000.00", "currency": currency}}
        key = {"Idempotency-Key": f"budget-{period}-{currency}"}
        await ok(await self.mdf.put(f"/budgets/{period}", json=budget, headers=self.funds_manager | key))
        body = {"allocation_id": allocation_id, "partner_id": partner_id, "period": period,
                "amount": {"amount": amount, "currency": currency}}  # fmt: skip

        async def allocated() -> bool:  # 422 while the mdf service does not know the partner yet
            headers = self.funds_manager | {"Idempotency-Key": allocation_id}
            return (await self.mdf.post("/allocations", json=body, headers=headers)).status_code == 201

        await eventually(allocated)

    async def win(
        self, deal_id: str, partner_id: str, amount: str, closed_on: str, registered_on: str = "2026-10-01"
    ) -> None:
        """Register (auto-approved), move to negotiation and win; a close before ``registered_on`` flags it."""
        deal = {"deal_id": deal_id, "partner_id": partner_id, "customer_name": f"Customer of {deal_id}",
                "customer_domain": f"{deal_id}.example", "product_line": "cloud",
                "expected_amount": {"amount": amount, "currency": "USD"}, "expected_close": "2027-03-01",
                "registered_on": registered_on}  # fmt: skip
        await ok(await self.reg.post("/deals", json=deal, headers=self.admin))
        for stage in ("qualified", "proposal", "negotiation"):
            await ok(await self.reg.post(f"/deals/{deal_id}/stage", json={"stage": stage}, headers=self.admin))
        won = {"amount": {"amount": amount, "currency": "USD"}, "closed_on": closed_on}
        await ok(await self.reg.post(f"/deals/{deal_id}/won", json=won, headers=self.admin))

    def partner(self, partner_id: str) -> dict[str, str]:
        return auth_header(self.mdf_settings, "partner:read", "partner:write", partner_id=partner_id)

    async def mdf_write(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        return await ok(await self.mdf.post(path, json=body, headers=headers | {"Idempotency-Key": path}))

    async def reconcile_now(self) -> Any:
        return await ok(await self.led.get("/reconciliation/services", headers=self.auditor))

    async def settled(self, expected: list[tuple[str, str, str, str]]) -> None:
        """Wait until the mdf service shows these (partner, period, currency, available) funds."""

        async def shown() -> Any:
            items = (await self.mdf.get("/funds", headers=self.funds_manager)).json()["items"]
            return [(f["partner_id"], f["period"], f["currency"], f["available"]) for f in items] == expected

        await eventually(shown)

    async def ledger_shows(self, partner_id: str, purpose: str, currency: str, balance: str) -> None:
        """Wait until the ledger's partner account has this balance."""
        reader = auth_header(self.settings, "ledger:read")

        async def shown() -> bool:
            response = await self.led.get(f"/partners/{partner_id}/balances", headers=reader)
            rows = response.json().get("balances", []) if response.status_code == 200 else []
            account = f"partner:{partner_id}:{purpose}"
            return any((b["account"], b["currency"], b["balance"]) == (account, currency, balance) for b in rows)

        await eventually(shown)

    async def quiet(self) -> None:
        """Wait until two readings in a row agree (nothing in flight between the services)."""

        async def stable() -> Any:
            first = await self.reconcile_now()
            await asyncio.sleep(0.5)
            second = await self.reconcile_now()
            return first["differences"] == second["differences"] and first["compared"] == second["compared"]

        await eventually(stable)

    async def cli(self, *args: str) -> Result:
        """`ledger reconcile` in its own event loop, its peers fresh in-process apps."""

        @asynccontextmanager
        async def peers(_: LedgerSettings) -> AsyncIterator[Peers]:
            async with (
                app_client(mdf_app(self.mdf_settings, clock=FixedClock(MDF_DAY))) as mdf,
                app_client(registration_app(self.registration_settings)) as registration,
            ):
                yield mdf, registration

        cli = typer.Typer()

        @cli.callback()
        def main() -> None:
            """ledger (test)"""

        reconcile_cli.register(cli, lambda: ledger_container(self.settings, peers=peers))
        return await asyncio.to_thread(CliRunner().invoke, cli, ["reconcile", *args])


async def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


@asynccontextmanager
async def running_stack(
    ledger: LedgerSettings, mdf: MdfSettings, registration: RegistrationSettings
) -> AsyncIterator[Stack]:
    settings = with_peer_tokens(ledger, mdf, registration)
    async with AsyncExitStack() as stack:
        reg = await stack.enter_async_context(app_client(registration_app(registration)))
        mdf_clock = FixedClock(MDF_DAY)
        mdf_client = await stack.enter_async_context(app_client(mdf_app(mdf, clock=mdf_clock)))

        @asynccontextmanager
        async def in_process(_: LedgerSettings) -> AsyncIterator[Peers]:
            yield mdf_client, reg

        led = await stack.enter_async_context(app_client(ledger_app(settings, peers=in_process)))
        running = Stack(reg, mdf_client, led, settings, mdf, registration, mdf_clock)
        await stack.enter_async_context(projector_task(settings))
        await stack.enter_async_context(relay_task(settings, "ledger"))
        await stack.enter_async_context(mdf_consumer_task(mdf))
        await running.reg_relay.enter_async_context(relay_task(registration, "registration"))
        await running.mdf_relay.enter_async_context(relay_task(mdf, "mdf"))
        stack.push_async_callback(running.reg_relay.aclose)
        stack.push_async_callback(running.mdf_relay.aclose)
        yield running
