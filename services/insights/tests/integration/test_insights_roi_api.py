"""GET /roi over events fed through the consumer: the figures of the hand-worked example
(tests/unit/test_insights_roi.py), the method in the response, small samples, CSV and the policies."""

from __future__ import annotations

from datetime import date

import pytest
from insights.bootstrap import InsightsContainer
from insights.config import InsightsSettings
from insights.entrypoints.api import create_app
from money_events import enrolled, feed_events, reward, won
from servicekit.container import app_container
from servicekit.testing.client import app_client, auth_header

# Won revenue (USD) per quarter; the SPIFF "core/spiff:x" is first paid in 2026-Q3 to A and B.
#        2026-Q1  Q2   baseline  Q3   uplift
#   A      100   200     150     400    250
#   B        0   100      50     150    100
#   C      100   100     100     130     30   comparison
#   D      200     0     100     110     10   comparison
Q1, Q2, Q3 = date(2026, 2, 10), date(2026, 5, 10), date(2026, 8, 10)
EVENTS = [
    *(enrolled(p, date(2026, 1, 5)) for p in "ABCD"),
    won("A", "a-q1", 100, Q1), won("A", "a-q2", 200, Q2), won("A", "a1", 400, Q3),
    won("B", "b-q2", 100, Q2), won("B", "b1", 150, Q3),
    won("C", "c-q1", 100, Q1), won("C", "c-q2", 100, Q2), won("C", "c-q3", 130, Q3),
    won("D", "d-q1", 200, Q1), won("D", "d-q3", 110, Q3),
    reward("A", "e-a1", "spiff:x", "a1", "30.00"),
    reward("B", "e-b1", "spiff:x", "b1", "20.00"),
    reward("A", "e-a1-rebate", "rebate", "a1", "16.00"),
]  # fmt: skip


@pytest.fixture
def roi_settings(insights_settings: InsightsSettings) -> InsightsSettings:
    return insights_settings.model_copy(
        update={"roi_baseline_quarters": 2, "roi_min_treated": 2, "roi_min_comparison": 2}
    )


async def test_roi_separates_the_incentives_effect_from_the_partners_baseline(roi_settings: InsightsSettings) -> None:
    assert await feed_events(roi_settings, EVENTS) == 0
    staff = auth_header(roi_settings, "insights:read")
    async with app_client(create_app(roi_settings)) as client:
        answer = await client.get("/roi", params={"currency": "USD", "incentive": "core/spiff:x"}, headers=staff)
        assert answer.status_code == 200, answer.text
        body = answer.json()

        assert body["method"]["baseline_quarters"] == 2
        assert "difference in differences" in body["method"]["text"]
        assert body["method"]["assumptions"]
        assert body["method"]["limits"]
        assert body["items"] == [
            {
                "incentive": "core/spiff:x",
                "quarter": "2026-Q3",
                "cost": {"amount": "50.00", "currency": "USD"},  # 30 + 20
                "attributed_revenue": {"amount": "550.00", "currency": "USD"},  # deals a1 + b1
                "cost_per_attributed_revenue": "0.0909",  # 50 / 550
                "treated_partners": 2,
                "treated_with_baseline": 2,
                "comparison_partners": 2,
                "baseline_revenue": {"amount": "200.00", "currency": "USD"},  # 150 + 50
                "incremental_revenue": {"amount": "350.00", "currency": "USD"},  # 250 + 100
                "comparison_uplift": {"amount": "40.00", "currency": "USD"},  # mean(30, 10) twice
                "effect": {"amount": "310.00", "currency": "USD"},
                "cost_of_treated_with_baseline": {"amount": "50.00", "currency": "USD"},
                "return_on_cost": "5.2000",  # (310 - 50) / 50
                "notes": [],
            }
        ]

        rebate = await client.get("/roi", params={"currency": "USD", "incentive": "core/rebate:cloud"}, headers=staff)
        row = rebate.json()["items"][0]
        assert (row["cost"]["amount"], row["treated_partners"]) == ("16.00", 1)
        assert row["incremental_revenue"] is None  # one treated partner: below the minimum of 2
        assert row["notes"][0].startswith("sample too small: 1 treated partner(s)")

        csv = await client.get("/roi", params={"currency": "USD", "format": "csv"}, headers=staff)
        lines = csv.text.strip().split("\r\n")
        assert csv.headers["content-type"].startswith("text/csv")
        assert lines[0].startswith("incentive,quarter,cost.amount,cost.currency,attributed_revenue.amount")
        assert len(lines) == 3  # both incentives

        page = await client.get("/roi", params={"currency": "USD", "limit": 1}, headers=staff)
        assert [r["incentive"] for r in page.json()["items"]] == ["core/rebate:cloud"]
        rest = await client.get(
            "/roi", params={"currency": "USD", "limit": 1, "cursor": page.json()["next_cursor"]}, headers=staff
        )
        assert [r["incentive"] for r in rest.json()["items"]] == ["core/spiff:x"]
        assert rest.json()["next_cursor"] is None


async def test_roi_is_a_staff_view_and_checks_its_input(roi_settings: InsightsSettings) -> None:
    partner = auth_header(roi_settings, "partner:read", partner_id="A")
    staff = auth_header(roi_settings, "insights:read")
    async with app_client(create_app(roi_settings)) as client:
        assert (await client.get("/roi", params={"currency": "USD"}, headers=partner)).status_code == 403
        bad = await client.get("/roi", params={"currency": "XAU", "from": "2026-Q5"}, headers=staff)
        assert bad.status_code == 422
        assert "currency" in bad.json()["detail"]
        assert "from" in bad.json()["detail"]
        empty = await client.get("/roi", params={"currency": "EUR"}, headers=staff)
        assert empty.json()["items"] == []


async def test_roi_is_computed_once_per_change_of_the_read_models(roi_settings: InsightsSettings) -> None:
    assert await feed_events(roi_settings, EVENTS) == 0
    staff = auth_header(roi_settings, "insights:read")
    app = create_app(roi_settings)
    params = {"currency": "USD", "incentive": "core/spiff:x"}
    async with app_client(app) as client:
        first = (await client.get("/roi", params=params, headers=staff)).json()["items"][0]
        assert first["cost"]["amount"] == "50.00"
        await client.get("/roi", params={"currency": "USD"}, headers=staff)  # another filter, same table
        container = app_container(app)
        assert isinstance(container, InsightsContainer)
        assert container.memo.computed == 1
        # One more reward of the SPIFF arrives: the next call sees it (a new version, computed again).
        more = [won("C", "c2", 50, Q3), reward("C", "e-c2", "spiff:x", "c2", "5.00")]
        assert await feed_events(roi_settings, more) == 0
        second = (await client.get("/roi", params=params, headers=staff)).json()["items"][0]
        assert (second["cost"]["amount"], second["treated_partners"]) == ("55.00", 3)
        assert container.memo.computed == 2
