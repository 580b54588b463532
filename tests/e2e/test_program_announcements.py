"""A published version announces itself to partners (issue 16), through Kafka.

The ledger publishes version 2 of program ``p2`` 45 days ahead: ``program.version_published`` reaches
governance, which queues it for the partner's webhook subscription to program change announcements,
and the partner's notices list the version with what it changes. The handbook of version 2 shows its
worked example; once version 2 is in force, a deal of the same amount won at registration is posted by
the ledger with exactly the example's amount.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg
from governance.config import GovernanceSettings
from ledger.config import LedgerSettings
from registration.config import RegistrationSettings
from servicekit.db import sync_url
from servicekit.testing.client import auth_header

from .governance_stack import GovernanceStack, balances, governance_stack, win_deal
from .workers import eventually

PARTNER = "hb-acme"
V1 = """\
program: p2
title: Partner program two
tiers:
  levels:
    - id: registered
rebate:
  percent:
    registered: {default: 5}
clawback: {window_days: 60}
"""
V2 = V1.replace("{default: 5}", "{default: 6}")


async def publish(s: GovernanceStack, admin: dict[str, str], version: int, body: dict[str, Any]) -> None:
    drafted = await s.led.post(
        "/programs/p2/versions", content=(V1, V2)[version - 1], headers={**admin, "Content-Type": "application/yaml"}
    )
    assert drafted.status_code == 201, drafted.text
    published = await s.led.post(f"/programs/p2/versions/{version}/publish", json=body, headers=admin)
    assert published.status_code == 200, published.text


def worked_example(handbook: dict[str, Any]) -> list[str]:
    """The handbook's worked example for the registered tier (the Incentives section's second table)."""
    [incentives] = [section for section in handbook["sections"] if section["title"] == "Incentives"]
    [row] = incentives["tables"][1]["rows"]
    return list(row)


async def test_a_published_version_is_announced_to_partners_and_its_handbook_example_is_what_the_ledger_posts(
    registration_settings: RegistrationSettings,
    ledger_settings: LedgerSettings,
    governance_settings: GovernanceSettings,
) -> None:
    admin = auth_header(ledger_settings, "program:admin")
    own_led = auth_header(ledger_settings, "partner:read", partner_id=PARTNER)
    own_gov = auth_header(governance_settings, "partner:read", "partner:write", partner_id=PARTNER)
    async with governance_stack(registration_settings, ledger_settings, governance_settings, date(2026, 3, 2)) as s:
        await publish(s, admin, 1, {"effective_from": "2026-02-20", "correction": True, "reason": "launch"})

        async def enrolled() -> bool:
            body = {"partner_id": PARTNER, "name": "HB Acme", "partner_type": "reseller", "region": "EMEA",
                    "program_id": "p2", "enrolled_on": "2026-02-25"}  # fmt: skip
            return (await s.reg.post("/partners", json=body, headers=s.admin)).status_code == 201

        await eventually(enrolled, timeout=60)  # registration learnt p2 from the ledger's topic

        async def governance_took_in_version_1() -> int:
            # A subscription receives what governance consumes after it exists: the partner subscribes
            # once version 1 has gone by (its consumer may lag the registration's).
            db = await asyncpg.connect(sync_url(governance_settings.database_url))
            try:
                return int(await db.fetchval("SELECT count(*) FROM program_versions WHERE program_id = 'p2'"))
            finally:
                await db.close()

        await eventually(governance_took_in_version_1, timeout=60)
        subscription = {
            "subscription_id": "hb-acme-program",
            "partner_id": PARTNER,
            "url": "https://crm.hb-acme.example/hooks",
            "event_types": ["program.version_published"],
        }
        subscribed = await s.gov.post("/subscriptions", json=subscription, headers={**own_gov, "Idempotency-Key": "s"})
        assert subscribed.status_code == 201, subscribed.text

        await publish(s, admin, 2, {"effective_from": "2026-04-16"})

        async def announced_to_the_subscriber() -> list[dict[str, Any]]:
            response = await s.gov.get("/subscriptions/hb-acme-program/deliveries", headers=own_gov)
            assert response.status_code == 200, response.text
            return [d for d in response.json()["items"] if d["event_type"] == "program.version_published"]

        deliveries = await eventually(announced_to_the_subscriber, timeout=60)
        assert len(deliveries) == 1  # version 2 only: version 1 was published before the subscription

        async def notices() -> list[dict[str, Any]]:
            response = await s.led.get(f"/partners/{PARTNER}/notices", headers=own_led)
            return list(response.json()["items"]) if response.status_code == 200 else []

        [notice] = await eventually(notices, timeout=60)
        assert (notice["program_id"], notice["version"], notice["effective_from"]) == ("p2", 2, "2026-04-16")
        assert [d["text"] for d in notice["differences"]] == [
            "The registered rebate for any other product line rises from 5 % to 6 %."
        ]

        handbook = await s.led.get("/programs/p2/handbook", params={"format": "json", "version": 2}, headers=own_led)
        assert handbook.status_code == 200, handbook.text
        assert (handbook.json()["version"], handbook.json()["status"]) == (2, "announced")
        tier, deal, rewards, payable, _, _ = worked_example(handbook.json())
        assert (tier, deal, rewards, payable) == (
            "registered",
            "100,000.00 USD",
            "rebate 6,000.00 USD",
            "6,000.00 USD",
        )

        # Version 2 in force: the same deal, won at registration, is posted with the example's amount.
        await win_deal(s, PARTNER, "hb-d1", "100000.00", date(2026, 4, 20))

        async def payable_now() -> str | None:
            return (await balances(s, PARTNER)).get("rebates_payable")

        assert await eventually(payable_now, timeout=60) == payable.replace(",", "").removesuffix(" USD")
