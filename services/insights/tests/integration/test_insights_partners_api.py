from __future__ import annotations

from datetime import date

import httpx
from incentive_contracts.events.partner import PartnerEnrolled, PartnerTierChanged, PartnerType
from insights.config import InsightsSettings
from insights_feed import feed
from servicekit.testing.client import auth_header


def enrolled(partner_id: str, region: str = "emea", vertical: str | None = "health") -> PartnerEnrolled:
    return PartnerEnrolled(
        partner_id=partner_id,
        name=f"Partner {partner_id}",
        partner_type=PartnerType.RESELLER,
        region=region,
        vertical=vertical,
        program_id="core",
        enrolled_on=date(2026, 2, 10),
    )


async def test_partners_list_filters_pages_and_exports_csv(
    insights_settings: InsightsSettings, insights_client: httpx.AsyncClient
) -> None:
    tier = PartnerTierChanged(
        partner_id="p-2",
        program_id="core",
        previous_tier=None,
        tier="gold",
        effective_at=date(2026, 3, 1),
        reason="promotion",
        rule_version=1,
    )
    assert await feed(insights_settings, [tier, enrolled("p-1"), enrolled("p-2"), enrolled("p-3", "amer")]) == 1
    assert await feed(insights_settings, [tier]) == 0  # enrolled now: applies
    staff = auth_header(insights_settings, "insights:read")

    first = await insights_client.get("/partners", params={"region": "emea", "limit": 1}, headers=staff)
    assert first.status_code == 200, first.text
    assert [p["partner_id"] for p in first.json()["items"]] == ["p-1"]
    second = await insights_client.get(
        "/partners", params={"region": "emea", "limit": 1, "cursor": first.json()["next_cursor"]}, headers=staff
    )
    assert second.json()["items"][0] | {"reward_programs": []} == {
        "partner_id": "p-2",
        "name": "Partner p-2",
        "partner_type": "reseller",
        "program_id": "core",
        "region": "emea",
        "vertical": "health",
        "tier": "gold",
        "tier_since": "2026-03-01",
        "enrolled_on": "2026-02-10",
        "enrolment_quarter": "2026-Q1",
        "deactivated_on": None,
        "reward_programs": [],
    }
    assert second.json()["next_cursor"] is None

    csv = await insights_client.get("/partners", params={"format": "csv", "limit": 2}, headers=staff)
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().split("\r\n")
    assert lines[0].startswith("partner_id,name,partner_type,program_id,region,vertical,tier")
    assert len(lines) == 3
    assert csv.headers["x-next-cursor"]

    own = auth_header(insights_settings, "partner:read", partner_id="p-3")
    mine = await insights_client.get("/partners", headers=own)
    assert [p["partner_id"] for p in mine.json()["items"]] == ["p-3"]
    assert (await insights_client.get("/partners/p-1", headers=own)).status_code == 404
    assert (await insights_client.get("/partners/p-3", headers=own)).json()["region"] == "amer"
    assert (await insights_client.get("/partners", params={"cursor": "zz"}, headers=staff)).status_code == 400
