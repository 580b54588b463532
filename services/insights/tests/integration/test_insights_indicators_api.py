"""The indicator and cohort APIs over read models fed by every kind of event (figures worked by hand)."""

from __future__ import annotations

from datetime import date

import httpx
import insights_events as ev
import pytest
from insights.config import InsightsSettings
from insights_feed import feed
from servicekit.testing.client import auth_header

D = date
Q1 = {"since": "2026-01-01", "until": "2026-03-31", "granularity": "quarter"}

BOOK = [
    ev.enrolled("p-1", "emea", "health", D(2025, 12, 1)),
    ev.enrolled("p-2", "amer", None, D(2026, 1, 10)),
    ev.enrolled("p-3", "emea", "finance", D(2026, 2, 1)),
    ev.tier("p-1", "gold", D(2026, 1, 1)),
    ev.tier("p-2", "silver", D(2026, 1, 1)),
    ev.posted("p-1", "e1", "core/rebate"),
    ev.posted("p-2", "e2", "core-pilot/rebate"),  # p-2 is rewarded under the pilot's variant
    ev.posted("p-2", "e3", "ledger/holds"),  # generic postings name no program
    # p-1: a won (30 days, amount raised to 1500 before the win), b lost, c open at proposal, d rejected
    ev.registered("p-1", "a", "1000.00", D(2026, 1, 5)),
    ev.approved("p-1", "a", D(2026, 1, 6)),
    ev.moved("p-1", "a", "approved", "qualified", D(2026, 1, 20)),
    ev.forecast("p-1", "a", "1500.00", D(2026, 1, 25)),
    ev.won("p-1", "a", "1500.00", D(2026, 2, 4)),
    ev.registered("p-1", "b", "2000.00", D(2026, 1, 10)),
    ev.approved("p-1", "b", D(2026, 1, 11)),
    ev.lost("p-1", "b", D(2026, 3, 1)),
    ev.registered("p-1", "c", "500.00", D(2026, 2, 1)),
    ev.approved("p-1", "c", D(2026, 2, 2)),
    ev.moved("p-1", "c", "approved", "qualified", D(2026, 2, 10)),
    ev.moved("p-1", "c", "qualified", "proposal", D(2026, 3, 5)),
    ev.registered("p-1", "d", "400.00", D(2026, 1, 2)),
    ev.rejected("p-1", "d", D(2026, 1, 3)),
    ev.engagement("p-1", "g1", "quarterly_business_review", D(2026, 1, 15)),
    ev.engagement("p-1", "g2", "certification", D(2026, 2, 1)),
    ev.mdf_request("p-1", "r1", "1000.00", D(2026, 1, 10)),
    ev.mdf_approved("p-1", "r1", "1000.00", "800.00", D(2026, 1, 12)),
    ev.disbursed("p-1", "s1", "r1", "400.00", D(2026, 1, 20)),
    ev.results("p-1", "r1", "400.00", 5, D(2026, 2, 1)),
    ev.results("p-1", "r1", "800.00", 12, D(2026, 3, 10)),  # cumulative: replaces the first report
    # p-2: e won after 64 days, f open (registered)
    ev.registered("p-2", "e", "3000.00", D(2026, 1, 15)),
    ev.approved("p-2", "e", D(2026, 1, 16)),
    ev.won("p-2", "e", "3000.00", D(2026, 3, 20)),
    ev.registered("p-2", "f", "700.00", D(2026, 3, 15)),
    # p-3: g expired
    ev.registered("p-3", "g", "600.00", D(2026, 2, 5)),
    ev.approved("p-3", "g", D(2026, 2, 6)),
    ev.expired("p-3", "g", D(2026, 3, 25)),
]


def usd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "USD"}


@pytest.fixture
async def fed(insights_settings: InsightsSettings) -> InsightsSettings:
    assert await feed(insights_settings, BOOK) == 0
    return insights_settings


async def test_one_partners_quarter(fed: InsightsSettings, insights_client: httpx.AsyncClient) -> None:
    staff = auth_header(fed, "insights:read")
    r = await insights_client.get("/indicators", params={**Q1, "dimension": "partner", "value": "p-1"}, headers=staff)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["scope"] == {"dimension": "partner", "value": "p-1"}
    assert "win rate" in body["definitions"]["pipeline_velocity"]
    (q,) = body["items"]
    assert q["period"] == "2026-Q1"
    assert q["partners"] == 1
    # open at Mar 31: c at proposal (500)
    assert q["pipeline"]["by_stage"]["proposal"] == usd("500.00")
    assert q["pipeline"]["total"] == usd("500.00")
    assert q["pipeline"]["open_deals"] == 1
    # registered a b c d; approved a b c; qualified a c; proposal c; won a
    assert q["registrations"] == {
        "count": 4,
        "stage_conversion": {
            "registered": "1.0000", "approved": "0.7500", "qualified": "0.5000", "proposal": "0.2500",
            "negotiation": "0.0000", "won": "0.2500",
        },
    }  # fmt: skip
    # closed: a won, b lost, d rejected (not counted) -> 1 / 2
    assert (q["won_deals"], q["lost_deals"], q["win_rate"]) == (1, 1, "0.5000")
    assert q["won_revenue"] == usd("1500.00")
    assert q["average_deal_size"] == usd("1500.00")
    assert q["time_to_close_days"] == {"mean": "30.0000", "median": "30", "p90": 30}
    # 1 open x 0.5 x 1500 / 30 days
    assert q["pipeline_velocity_per_day"] == usd("25.00")
    assert q["marketing"] == {
        "mdf_requests": 1,
        "requested": usd("1000.00"),
        "approved": usd("800.00"),
        "spend": usd("400.00"),
        "activities_reported": 1,
        "reported_spend": usd("800.00"),
        "results": {"registrations": 24, "attendees": 17, "leads": 12, "opportunities_influenced": 1},
    }
    assert q["engagement"] == {
        "activities": 2,
        "by_kind": {"certification": 1, "quarterly_business_review": 1},
        "points": 18,  # 10 + 8 (the default program's weights)
    }


async def test_the_whole_book_and_dimensions(fed: InsightsSettings, insights_client: httpx.AsyncClient) -> None:
    staff = auth_header(fed, "insights:read")
    (q,) = (await insights_client.get("/indicators", params=Q1, headers=staff)).json()["items"]
    assert q["partners"] == 3
    # open: c 500 at proposal, f 700 registered; closed: a, e won; b lost, g expired
    assert q["pipeline"]["total"] == usd("1200.00")
    assert q["registrations"]["count"] == 7
    assert q["win_rate"] == "0.5000"
    assert q["average_deal_size"] == usd("2250.00")  # (1500 + 3000) / 2
    assert q["time_to_close_days"] == {"mean": "47.0000", "median": "47", "p90": 64}  # 30 and 64 days
    assert q["pipeline_velocity_per_day"] == usd("47.87")  # 2 x 0.5 x 2250 / 47 = 47.8723...
    emea_only = {**Q1, "dimension": "region", "value": "emea"}
    region = await insights_client.get("/indicators", params=emea_only, headers=staff)
    (emea,) = region.json()["items"]
    assert (emea["partners"], emea["registrations"]["count"], emea["win_rate"]) == (2, 5, "0.3333")  # a / (a b g)
    silver = {**Q1, "dimension": "tier", "value": "silver"}
    tier = await insights_client.get("/indicators", params=silver, headers=staff)
    assert tier.json()["items"][0]["won_revenue"] == usd("3000.00")
    other = await insights_client.get("/indicators", params={**Q1, "currency": "EUR"}, headers=staff)
    assert other.json()["items"][0]["registrations"]["count"] == 0  # figures are per currency


async def test_months_page_and_csv(fed: InsightsSettings, insights_client: httpx.AsyncClient) -> None:
    staff = auth_header(fed, "insights:read")
    params = {**Q1, "granularity": "month", "limit": 2}
    first = (await insights_client.get("/indicators", params=params, headers=staff)).json()
    assert [i["period"] for i in first["items"]] == ["2026-01", "2026-02"]
    assert first["items"][0]["registrations"]["count"] == 4  # a b d e
    rest = await insights_client.get("/indicators", params={**params, "cursor": first["next_cursor"]}, headers=staff)
    assert [i["period"] for i in rest.json()["items"]] == ["2026-03"]
    assert rest.json()["next_cursor"] is None
    csv = await insights_client.get("/indicators", params={**params, "format": "csv"}, headers=staff)
    header, *rows = csv.text.strip().split("\r\n")
    assert "pipeline.by_stage.proposal.amount" in header.split(",")
    assert len(rows) == 2
    assert csv.headers["x-next-cursor"] == first["next_cursor"]


async def test_cohorts_side_by_side(fed: InsightsSettings, insights_client: httpx.AsyncClient) -> None:
    staff = auth_header(fed, "insights:read")
    tiers = (await insights_client.get("/cohorts", params={"by": "tier", "period": "2026-Q1"}, headers=staff)).json()
    assert [(c["cohort"], c["partners"]) for c in tiers["items"]] == [("gold", 1), ("silver", 1), ("untiered", 1)]
    assert tiers["reference"] is None
    pilot = (await insights_client.get("/cohorts", params={"by": "pilot", "period": "2026-Q1"}, headers=staff)).json()
    assert pilot["reference"] == "control:core"
    rows = {c["cohort"]: c for c in pilot["items"]}
    assert rows["control:core"]["partners"] == 2  # p-1 and p-3
    assert rows["control:core"]["indicators"]["win_rate"] == "0.3333"  # a won; b lost, g expired
    assert rows["variant:core-pilot"]["indicators"]["win_rate"] == "1.0000"
    assert rows["variant:core-pilot"]["difference"]["win_rate"] == "0.6667"
    # per partner: variant 3000 won; control 1500 over 2 partners = 750
    assert rows["variant:core-pilot"]["per_partner"]["won_revenue"] == usd("3000.00")
    assert rows["control:core"]["per_partner"]["won_revenue"] == usd("750.00")
    assert rows["variant:core-pilot"]["difference"]["won_revenue_per_partner"] == "2250.0000"
    quarters = await insights_client.get(
        "/cohorts", params={"by": "enrolment_quarter", "period": "2026-Q1", "format": "csv"}, headers=staff
    )
    lines = quarters.text.strip().split("\r\n")
    assert [line.split(",")[0] for line in lines[1:]] == ["2025-Q4", "2026-Q1"]
    missing = await insights_client.get("/cohorts", params={"by": "tier", "reference": "bronze"}, headers=staff)
    assert missing.status_code == 404


async def test_partner_tokens_see_only_their_own(fed: InsightsSettings, insights_client: httpx.AsyncClient) -> None:
    own = auth_header(fed, "partner:read", partner_id="p-1")
    mine = await insights_client.get("/indicators", params=Q1, headers=own)
    assert mine.json()["scope"] == {"dimension": "partner", "value": "p-1"}
    assert mine.json()["items"][0]["registrations"]["count"] == 4
    other = await insights_client.get("/indicators", params={**Q1, "dimension": "partner", "value": "p-2"}, headers=own)
    assert other.status_code == 404
    gold = await insights_client.get("/indicators", params={"dimension": "tier", "value": "gold"}, headers=own)
    assert gold.status_code == 403
    assert (await insights_client.get("/cohorts", headers=own)).status_code == 403
    nobody = await insights_client.get("/indicators", params={"dimension": "partner", "value": "p-9"},
                                       headers=auth_header(fed, "insights:read"))  # fmt: skip
    assert nobody.status_code == 404


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/indicators", {"dimension": "tier"}, "query.value"),
        ("/indicators", {"currency": "XXX"}, "query.currency"),
        ("/indicators", {"since": "2026-03-01", "until": "2026-01-01"}, "query.since"),
        ("/indicators", {"since": "0001-01-01"}, "query.since"),
        ("/indicators", {"granularity": "week"}, "query.granularity"),
        ("/cohorts", {"period": "2026-Q5"}, "query.period"),
        ("/cohorts", {"by": "colour"}, "query.by"),
    ],
)
async def test_bad_queries_are_422_naming_the_field(
    insights_settings: InsightsSettings, insights_client: httpx.AsyncClient, path: str, params: dict[str, str],
    field: str,
) -> None:  # fmt: skip
    r = await insights_client.get(path, params=params, headers=auth_header(insights_settings, "insights:read"))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert field in r.json()["detail"]


async def test_a_partners_open_pipeline(fed: InsightsSettings, insights_client: httpx.AsyncClient) -> None:
    own = auth_header(fed, "partner:read", partner_id="p-1")
    r = await insights_client.get("/partners/p-1/pipeline", headers=own)
    assert r.status_code == 200, r.text
    assert r.json()["items"] == [
        {
            "deal_id": "c",
            "stage": "proposal",
            "expected_amount": usd("500.00"),
            "forecast_close": "2026-09-30",  # from its last stage change
            "registered_on": "2026-02-01",
            "days_open": 149,  # Feb 1 to the clock's Jun 30
            "stages_reached": {
                "registered": "2026-02-01", "approved": "2026-02-02", "qualified": "2026-02-10",
                "proposal": "2026-03-05",
            },
        }
    ]  # fmt: skip
    assert (await insights_client.get("/partners/p-2/pipeline", headers=own)).status_code == 404
    staff = auth_header(fed, "insights:read")
    assert (await insights_client.get("/partners/p-9/pipeline", headers=staff)).status_code == 404
    csv = await insights_client.get("/partners/p-2/pipeline", params={"format": "csv"}, headers=staff)
    assert csv.text.split("\r\n")[1].startswith("f,registered,700.00,USD,")


async def test_a_confirmed_anomaly_takes_back_a_win(fed: InsightsSettings, insights_client: httpx.AsyncClient) -> None:
    assert await feed(fed, [ev.flag_confirmed("p-2", "e", D(2026, 4, 2))]) == 0
    staff = auth_header(fed, "insights:read")
    params = {**Q1, "dimension": "partner", "value": "p-2"}
    (q,) = (await insights_client.get("/indicators", params=params, headers=staff)).json()["items"]
    # e (won 3000 in Q1) is rejected now: no win, no loss, no revenue in Q1
    assert (q["won_deals"], q["lost_deals"], q["win_rate"], q["won_revenue"]) == (0, 0, None, usd("0.00"))
