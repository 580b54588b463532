"""Registration, the ledger and governance in one event loop (issue 16's disputes and audits): their
APIs in process on a business clock the test moves, their relays, the ledger projector, registration's
consumer (ledger and governance topics) and governance's consumer, on real PostgreSQL and the broker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import orjson
from aiokafka.structs import RecordMetadata
from governance.config import GovernanceSettings
from governance.entrypoints.api import create_app as governance_app
from governance.entrypoints.consumer import ACTIVITY_FEED
from incentive_contracts import topics
from ledger.config import LedgerSettings
from ledger.entrypoints.api import create_app as ledger_app
from registration.config import RegistrationSettings
from registration.entrypoints.api import create_app as registration_app
from registration.entrypoints.tiers import TIER_CONSUMER
from servicekit.kafka import make_producer
from servicekit.testing.client import app_client, auth_header

from .stack import BusinessClock
from .test_governance_benefits import governance_events
from .workers import consumer_task, projector_task, relay_task


@dataclass
class GovernanceStack:
    reg: httpx.AsyncClient
    led: httpx.AsyncClient
    gov: httpx.AsyncClient
    clock: BusinessClock
    admin: dict[str, str]  # registration manager
    staff: dict[str, str]  # governance manager
    reader: dict[str, str]  # ledger reader


@asynccontextmanager
async def governance_stack(
    reg: RegistrationSettings, led: LedgerSettings, gov: GovernanceSettings, today: date
) -> AsyncIterator[GovernanceStack]:
    clock = BusinessClock(today)
    async with AsyncExitStack() as stack:
        reg_client = await stack.enter_async_context(app_client(registration_app(reg, clock=clock)))
        led_client = await stack.enter_async_context(app_client(ledger_app(led, clock=clock)))
        gov_client = await stack.enter_async_context(app_client(governance_app(gov, clock=clock)))
        await stack.enter_async_context(relay_task(reg, "registration"))
        await stack.enter_async_context(relay_task(led, "ledger"))
        await stack.enter_async_context(relay_task(gov, "governance"))
        await stack.enter_async_context(projector_task(led))
        # a registration group of this test's own: tests share the broker
        own_group = reg.model_copy(update={"ledger_consumer_group": f"{reg.topic_prefix}registration-ledger"})
        await stack.enter_async_context(consumer_task(own_group, TIER_CONSUMER))
        await stack.enter_async_context(consumer_task(gov, ACTIVITY_FEED))
        yield GovernanceStack(
            reg_client,
            led_client,
            gov_client,
            clock,
            auth_header(reg, "partners:write", "deals:write", subject="manager:jo"),
            auth_header(gov, "governance:write", "program:admin", subject="manager:kim"),
            auth_header(led, "ledger:read"),
        )


async def enrol(s: GovernanceStack, partner_id: str, enrolled_on: str) -> None:
    body = {"partner_id": partner_id, "name": partner_id.title(), "partner_type": "reseller", "region": "EMEA",
            "enrolled_on": enrolled_on}  # fmt: skip
    created = await s.reg.post("/partners", json=body, headers=s.admin)
    assert created.status_code == 201, created.text


async def win_deal(s: GovernanceStack, partner_id: str, deal_id: str, amount: str, closed_on: date) -> dict[str, Any]:
    """Register the deal on the clock's day, move it through the stages and win it on ``closed_on``."""
    deal = {"deal_id": deal_id, "partner_id": partner_id, "customer_name": f"Customer {deal_id}",
            "product_line": "cloud", "expected_amount": {"amount": amount, "currency": "USD"},
            "expected_close": "2026-09-30"}  # fmt: skip
    assert (await s.reg.post("/deals", json=deal, headers=s.admin)).status_code == 201
    for stage in ("qualified", "proposal", "negotiation"):
        moved = await s.reg.post(f"/deals/{deal_id}/stage", json={"stage": stage}, headers=s.admin)
        assert moved.status_code == 200, moved.text
    s.clock.today = closed_on
    won = await s.reg.post(
        f"/deals/{deal_id}/won",
        json={"amount": {"amount": amount, "currency": "USD"}, "closed_on": closed_on.isoformat()},
        headers=s.admin,
    )
    assert won.status_code == 200, won.text
    return dict(won.json())


async def balances(s: GovernanceStack, partner_id: str) -> dict[str, str]:
    """The partner's non-zero ledger balances by purpose."""
    response = await s.led.get(f"/partners/{partner_id}/balances", headers=s.reader)
    if response.status_code != 200:
        return {}
    return {b["purpose"]: b["balance"] for b in response.json()["balances"] if b["balance"] != "0.00"}


async def redeliver(settings: GovernanceSettings, partner_id: str, event_type: str) -> RecordMetadata:
    """Send the partner's (one) governance event of ``event_type`` to its topic again, as it travelled."""
    [event] = [e for e in await governance_events(settings, partner_id) if e["type"] == event_type]
    producer = make_producer(settings)
    await producer.start()
    try:
        topic = topics.prefixed(topics.GOVERNANCE, settings.topic_prefix)
        return await producer.send_and_wait(topic, orjson.dumps(event), key=partner_id.encode())
    finally:
        await producer.stop()
