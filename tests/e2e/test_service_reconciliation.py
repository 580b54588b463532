"""`ledger reconcile` across the real services: registration, mdf and ledger APIs in-process on their
own databases, their relays, the ledger projector and the mdf ledger-feed consumer through the broker.
Agreeing services give no difference; a side made to diverge is listed with both figures, the CLI
exits 1 and the gauges count it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from ledger.config import LedgerSettings
from ledger.entrypoints import reconcile_cli
from ledger.entrypoints.api import create_app as ledger_app
from mdf.config import MdfSettings
from mdf.entrypoints.api import create_app as mdf_app
from mdf.entrypoints.consumer import build_consumer as mdf_consumer
from mdf.entrypoints.consumer import uow_factory_for
from pydantic import SecretStr
from registration.config import RegistrationSettings
from registration.entrypoints.api import create_app as registration_app
from servicekit.auth import mint_token
from servicekit.kafka import ensure_topics
from servicekit.runner import all_topics
from servicekit.testing.client import app_client, auth_header
from servicekit.testing.databases import DatabaseFactory
from typer.testing import CliRunner

from .workers import eventually, projector_task, relay_task

MDF_INI = Path(__file__).resolve().parents[2] / "services/mdf/alembic.ini"
PERIOD = "2026-Q4"


class FixedClock:
    def __init__(self, day: date) -> None:
        self.current = datetime.combine(day, time(12), UTC)

    def now(self) -> datetime:
        return self.current


@pytest.fixture
def mdf_settings(database_factory: DatabaseFactory, kafka_bootstrap: str, topic_prefix: str) -> MdfSettings:
    return MdfSettings(
        environment="test",
        database_url=database_factory.create(MDF_INI, prefix="mdf"),
        kafka_bootstrap_servers=kafka_bootstrap,
        kafka_session_timeout_ms=3000,
        topic_prefix=topic_prefix,
        topic_partitions=4,
        relay_poll_seconds=0.2,
        consumer_group=f"mdf-{topic_prefix}",
    )


@asynccontextmanager
async def mdf_consumer_task(settings: MdfSettings) -> AsyncIterator[None]:
    await ensure_topics(settings, all_topics(settings.topic_prefix))
    factory = uow_factory_for(settings, pool_size=2)
    consumer = mdf_consumer(settings, factory)
    await consumer.consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        yield
    finally:
        consumer.stop()
        await asyncio.wait_for(task, 10)
        await consumer.consumer.stop()
        await factory.engine.dispose()


def _peers(mdf: httpx.AsyncClient, registration: httpx.AsyncClient):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def peers(_: LedgerSettings) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
        yield mdf, registration

    return peers


def _cli(settings: LedgerSettings, mdf_settings: MdfSettings, reg_settings: RegistrationSettings) -> typer.Typer:
    """`ledger reconcile` whose peers are fresh in-process apps (the CLI runs its own event loop)."""

    @asynccontextmanager
    async def peers(_: LedgerSettings) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
        async with (
            app_client(mdf_app(mdf_settings, clock=FixedClock(date(2026, 11, 2)))) as mdf,
            app_client(registration_app(reg_settings)) as registration,
        ):
            yield mdf, registration

    cli = typer.Typer()

    @cli.callback()
    def main() -> None:
        """ledger (test)"""

    reconcile_cli.register(cli, lambda: settings, peers)
    return cli


async def _ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


async def test_agreeing_services_reconcile_and_a_diverging_side_is_listed(
    registration_settings: RegistrationSettings, ledger_settings: LedgerSettings, mdf_settings: MdfSettings
) -> None:
    def token(peer: MdfSettings | RegistrationSettings) -> SecretStr:
        secret = peer.token_secret.get_secret_value()
        return SecretStr(mint_token(secret, subject="ledger-reconcile", scopes=["audit:read"]))

    settings = ledger_settings.model_copy(
        update={"mdf_token": token(mdf_settings), "registration_token": token(registration_settings)}
    )
    admin = auth_header(registration_settings, "partners:write", "deals:write")
    funds_manager = auth_header(mdf_settings, "mdf:write", "mdf:read")
    auditor = auth_header(settings, "audit:read")
    led_app = ledger_app(settings)
    async with AsyncExitStack() as stack:
        reg = await stack.enter_async_context(app_client(registration_app(registration_settings)))
        mdf = await stack.enter_async_context(app_client(mdf_app(mdf_settings, clock=FixedClock(date(2026, 11, 2)))))
        led = await stack.enter_async_context(app_client(led_app))
        led_app.state.peer_clients = _peers(mdf, reg)
        await stack.enter_async_context(projector_task(settings))
        await stack.enter_async_context(relay_task(settings, "ledger"))
        await stack.enter_async_context(mdf_consumer_task(mdf_settings))
        reg_relay, mdf_relay = AsyncExitStack(), AsyncExitStack()
        await reg_relay.enter_async_context(relay_task(registration_settings, "registration"))
        await mdf_relay.enter_async_context(relay_task(mdf_settings, "mdf"))
        stack.push_async_callback(reg_relay.aclose)
        stack.push_async_callback(mdf_relay.aclose)

        partner = {"partner_id": "acme", "name": "Acme", "partner_type": "reseller", "region": "EMEA",
                   "enrolled_on": "2026-09-01"}  # fmt: skip
        await _ok(await reg.post("/partners", json=partner, headers=admin))
        await _ok(await mdf.put(f"/budgets/{PERIOD}", json={"amount": {"amount": "5000.00", "currency": "EUR"}},
                                headers=funds_manager | {"Idempotency-Key": "budget"}))  # fmt: skip

        async def allocated() -> bool:
            body = {"allocation_id": "a1", "partner_id": "acme", "period": PERIOD,
                    "amount": {"amount": "1000.00", "currency": "EUR"}}  # fmt: skip
            response = await mdf.post("/allocations", json=body, headers=funds_manager | {"Idempotency-Key": "a1"})
            return response.status_code == 201  # 422 while the mdf service does not know acme yet

        await eventually(allocated)
        deal = {"deal_id": "d1", "partner_id": "acme", "customer_name": "Globex", "product_line": "cloud",
                "expected_amount": {"amount": "1000.00", "currency": "USD"}, "expected_close": "2027-03-01",
                "registered_on": "2026-10-01"}  # fmt: skip
        await _ok(await reg.post("/deals", json=deal, headers=admin))
        for stage in ("qualified", "proposal", "negotiation"):
            await _ok(await reg.post("/deals/d1/stage", json={"stage": stage}, headers=admin))
        won = {"amount": {"amount": "1234.50", "currency": "USD"}, "closed_on": "2026-11-30"}
        await _ok(await reg.post("/deals/d1/won", json=won, headers=admin))

        async def settled() -> bool:
            funds = (await mdf.get("/funds", headers=funds_manager)).json()["items"]
            ledger_view = await led.get("/partners/acme/balances", headers=auth_header(settings, "ledger:read"))
            balances = ledger_view.json().get("balances", []) if ledger_view.status_code == 200 else []
            return [(f["currency"], f["available"]) for f in funds] == [("EUR", "1000.00"), ("USD", "12.34")] and any(
                b["account"] == "partner:acme:mdf_available" and b["currency"] == "EUR" for b in balances
            )

        await eventually(settled)

        now = await _ok(await led.get("/reconciliation/services", headers=auditor))
        assert (now["ok"], now["error"], now["differences"]) == (True, None, [])
        assert now["compared"] == {"mdf": 2, "registration": 1, "payouts": 0}
        agreeing = await asyncio.to_thread(CliRunner().invoke, _cli(settings, mdf_settings, registration_settings),
                                           ["reconcile"])  # fmt: skip
        assert agreeing.exit_code == 0, agreeing.output
        assert "no difference" in agreeing.output

        # Diverge: the mdf service and registration move on while their events never reach the ledger.
        await mdf_relay.aclose()
        await reg_relay.aclose()
        extra = {"allocation_id": "a2", "partner_id": "acme", "period": PERIOD,
                 "amount": {"amount": "250.00", "currency": "EUR"}}  # fmt: skip
        await _ok(await mdf.post("/allocations", json=extra, headers=funds_manager | {"Idempotency-Key": "a2"}))
        await _ok(await reg.post("/deals", json=deal | {"deal_id": "d2", "customer_name": "Initech"}, headers=admin))
        for stage in ("qualified", "proposal", "negotiation"):
            await _ok(await reg.post("/deals/d2/stage", json={"stage": stage}, headers=admin))
        await _ok(await reg.post("/deals/d2/won", json=won, headers=admin))

        diverging = await asyncio.to_thread(CliRunner().invoke, _cli(settings, mdf_settings, registration_settings),
                                            ["reconcile"])  # fmt: skip
        assert diverging.exit_code == 1, diverging.output
        assert (
            "DIFF mdf_available partner=acme period=2026-Q4 currency=EUR: mdf 1250.00 / ledger 1000.00"
            in diverging.output
        )
        assert "DIFF deal_unknown_to_ledger partner=acme period=2026-Q4 currency=USD deal=d2" in diverging.output

        latest = await _ok(await led.get("/reconciliation/services/latest", headers=auditor))
        assert latest["ok"] is False
        assert [(d["check"], d["partner_id"], d["period"], d["currency"], d["subject"], d["theirs"], d["ours"])
                for d in latest["differences"]] == [
            ("mdf_available", "acme", "2026-Q4", "EUR", None, "1250.00", "1000.00"),
            ("deal_unknown_to_ledger", "acme", "2026-Q4", "USD", "d2", "won 1234.50", "no booking"),
        ]  # fmt: skip
        assert latest["counts"]["mdf_available"] == 1
        metrics = (await led.get("/metrics")).text
        assert 'ledger_reconciliation_differences{check="mdf_available"} 1.0' in metrics
        assert 'ledger_reconciliation_differences{check="deal_unknown_to_ledger"} 1.0' in metrics
        assert 'ledger_reconciliation_differences{check="mdf_reserved"} 0.0' in metrics
        assert "ledger_reconciliation_last_run_failed 0.0" in metrics
        forbidden = await led.get("/reconciliation/services/latest", headers=auth_header(settings, "ledger:read"))
        assert forbidden.status_code == 403
