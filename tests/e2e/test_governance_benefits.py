"""Commitment benefits through Kafka (issue 16): a partner below its commitment minimum gains the
benefits when its engagement recorded at registration crosses the line, and loses them when the
activity lapses out of the window; every change is a governance event on its topic.

Registration's API and relay, governance's consumer, relay and API run in process on real PostgreSQL
and the real broker. The rules are the built-in default program's (version 0, the ``commitment`` section
of ``incentive_contracts/programs/default.yaml``, which the ledger serves): ``committed-partner`` needs
20 engagement points and one certification in the last 90 days (a QBR is 10 points, a certification
8, an enablement session 3).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import httpx
import orjson
from aiokafka import AIOKafkaConsumer
from governance.config import GovernanceSettings
from governance.entrypoints.api import create_app as governance_app
from governance.entrypoints.consumer import ACTIVITY_FEED
from incentive_contracts import topics
from registration.config import RegistrationSettings
from registration.entrypoints.api import create_app as registration_app
from servicekit.testing.client import app_client, auth_header

from .workers import consumer_task, eventually, relay_task

PARTNER = "gov-acme"
COMMITTED = ["certified_status", "early_betas", "roadmap_previews"]


class Clock:
    def __init__(self, today: date) -> None:
        self.today = today

    def now(self) -> datetime:
        return datetime.combine(self.today, time(12), tzinfo=UTC)


async def governance_events(settings: GovernanceSettings, partner_id: str) -> list[dict[str, Any]]:
    """Every event of one partner on the governance topic so far, in the order Kafka holds them."""
    consumer = AIOKafkaConsumer(
        topics.prefixed(topics.GOVERNANCE, settings.topic_prefix),
        bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    found: list[dict[str, Any]] = []
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=500)
            if not batches:
                return found
            for records in batches.values():
                found += [orjson.loads(r.value) for r in records if r.key == partner_id.encode()]
    finally:
        await consumer.stop()


class Walk:
    """The partner's side at registration and its benefits at governance, on one business clock."""

    def __init__(self, reg: httpx.AsyncClient, gov: httpx.AsyncClient, clock: Clock, settings: tuple[Any, Any]) -> None:
        self.reg, self.gov, self.clock = reg, gov, clock
        self.partner = auth_header(settings[0], "partner:read", "partner:write", partner_id=PARTNER)
        self.own = auth_header(settings[1], "partner:read", partner_id=PARTNER)

    async def record(self, engagement_id: str, kind: str, day: date) -> None:
        self.clock.today = day
        body = {"engagement_id": engagement_id, "partner_id": PARTNER, "kind": kind,
                "occurred_on": day.isoformat(), "evidence_ref": "crm://minutes"}  # fmt: skip
        response = await self.reg.post("/engagements", json=body, headers=self.partner)
        assert response.status_code == 201, response.text

    async def benefits(self) -> dict[str, Any]:
        response = await self.gov.get(f"/partners/{PARTNER}/benefits", headers=self.own)
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def holding(self) -> list[str]:
        return sorted(h["benefit"] for h in (await self.benefits())["held"])

    async def onboarded(self) -> bool:
        """The enrolment reached governance: the partner's onboarding plan exists."""
        return bool((await self.gov.get("/plans", headers=self.own)).json()["items"])


async def the_topic_holds_the_grants_then_the_revocations(settings: GovernanceSettings) -> None:
    async def on_the_topic() -> list[tuple[str, str]]:
        events = await governance_events(settings, PARTNER)
        changes = [(e["type"], e["data"]["benefit"]) for e in events if e["type"].startswith("governance.benefit")]
        return changes if len(changes) == 6 else []

    changes = await eventually(on_the_topic, timeout=60)
    assert sorted(changes) == sorted(
        [("governance.benefit_granted", b) for b in COMMITTED] + [("governance.benefit_revoked", b) for b in COMMITTED]
    )
    assert [t for t, _ in changes[:3]] == ["governance.benefit_granted"] * 3  # granted before revoked
    revoked = [e for e in await governance_events(settings, PARTNER) if e["type"].endswith("revoked")]
    assert revoked[0]["data"]["unmet"] == ["certifications", "engagement_points"]
    assert revoked[0]["data"]["window_from"] == "2026-04-02"


async def test_a_partner_gains_benefits_when_its_activity_crosses_the_minimum_and_loses_them_when_it_lapses(
    registration_settings: RegistrationSettings, governance_settings: GovernanceSettings
) -> None:
    clock = Clock(date(2026, 3, 20))
    manager = auth_header(registration_settings, "partners:write")
    staff = auth_header(governance_settings, "governance:write")
    async with (
        app_client(registration_app(registration_settings, clock=clock)) as reg,
        app_client(governance_app(governance_settings, clock=clock)) as gov,
        relay_task(registration_settings, "registration"),
        relay_task(governance_settings, "governance"),
        consumer_task(governance_settings, ACTIVITY_FEED),
    ):
        walk = Walk(reg, gov, clock, (registration_settings, governance_settings))
        enrol = {"partner_id": PARTNER, "name": "Acme", "partner_type": "reseller", "region": "EMEA",
                 "enrolled_on": "2026-01-05"}  # fmt: skip
        assert (await reg.post("/partners", json=enrol, headers=manager)).status_code == 201

        # Below the minimum: a QBR (10) and a certification (8) are 18 points.
        await walk.record("e-qbr", "quarterly_business_review", date(2026, 3, 20))
        await walk.record("e-cert", "certification", date(2026, 3, 25))
        await eventually(walk.onboarded)
        assert (await walk.benefits())["held"] == []

        # The enablement session (3) makes 21 points: the partner crosses the line.
        await walk.record("e-enable", "enablement_session", date(2026, 3, 30))
        assert await eventually(walk.holding, timeout=60) == COMMITTED
        granted = (await walk.benefits())["history"]
        assert {(g["change"], g["effective_on"], g["rule_id"]) for g in granted} == {
            ("granted", "2026-03-30", "committed-partner")
        }
        assert granted[0]["inputs"] == {"engagement_points": "21", "certifications": "1"}

        # On 06-30 the window is 2026-04-02..2026-06-30 (29 + 31 + 30 days): none of the activity is in it.
        clock.today = date(2026, 6, 30)
        run = await gov.post("/benefits/evaluations", json={}, headers={**staff, "Idempotency-Key": "daily-06-30"})
        assert run.status_code == 200, run.text
        assert sorted(c["benefit"] for c in run.json()["changes"] if c["change"] == "revoked") == COMMITTED
        assert await walk.holding() == []
        await the_topic_holds_the_grants_then_the_revocations(governance_settings)
