"""A program the ledger publishes reaches registration through Kafka; partners can then enrol into it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledger.entrypoints.api import create_app as ledger_app
from registration.entrypoints.api import create_app as registration_app
from registration.entrypoints.tiers import TIER_CONSUMER
from servicekit.testing.client import app_client, auth_header

from .workers import consumer_task, eventually, relay_task

P2 = """\
program: p2
title: Program two
tiers:
  levels:
    - id: registered
rebate:
  percent:
    registered: {default: 4}
clawback: {window_days: 60}
"""


def body(program_id: str) -> dict[str, str]:
    return {
        "partner_id": "acme",
        "name": "Acme",
        "partner_type": "reseller",
        "region": "EMEA",
        "program_id": program_id,
    }


async def test_enrolment_into_p2_works_once_the_ledger_published_it(registration_settings, ledger_settings):
    manager = auth_header(registration_settings, "partners:write")
    admin = auth_header(ledger_settings, "program:admin")
    async with (
        app_client(registration_app(registration_settings)) as reg,
        app_client(ledger_app(ledger_settings)) as led,
        relay_task(ledger_settings, "ledger"),
        consumer_task(
            # A group of this test's own: tests share the broker.
            registration_settings.model_copy(
                update={"ledger_consumer_group": f"{registration_settings.topic_prefix}registration-ledger"}
            ),
            TIER_CONSUMER,
        ),
    ):
        refused = await reg.post("/partners", json=body("p2"), headers=manager)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["location"] == "body.program_id"

        draft = await led.post("/programs/p2/versions", content=P2, headers={**admin, "Content-Type": "text/yaml"})
        assert draft.status_code == 201, draft.text
        effective = datetime.now(UTC).date() + timedelta(days=30)
        published = await led.post(
            "/programs/p2/versions/1/publish", json={"effective_from": str(effective)}, headers=admin
        )
        assert published.status_code == 200, published.text

        async def enrolled():
            response = await reg.post("/partners", json=body("p2"), headers=manager)
            return response if response.status_code == 201 else None

        response = await eventually(enrolled)
        assert response.json()["program_id"] == "p2"
