"""Every leading indicator on a small book worked out by hand (the figures are in the comments)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from insights.domain.facts import EngagementFact, MdfRequestFact, MdfResultFact, MdfSpendFact
from insights.domain.indicators import (
    Facts,
    deal_indicators,
    engagement_indicators,
    marketing_indicators,
    median,
    percentile_nearest_rank,
    ratio,
    summarize,
)
from insights.domain.periods import month_of, parse_period, periods_between, quarter_of
from insights_builders import deal

Q1 = parse_period("2026-Q1")  # 2026-01-01 .. 2026-03-31
D = date

BOOK = [
    # D1: registered Jan 5, approved, qualified, won Feb 4 for 1200 (30 days)
    deal("D1", D(2026, 1, 5), "1000", stages={"approved": D(2026, 1, 6), "qualified": D(2026, 1, 20)},
         closed=("won", D(2026, 2, 4)), won="1200"),
    # D2: registered Jan 10, approved, lost Mar 1
    deal("D2", D(2026, 1, 10), "2000", stages={"approved": D(2026, 1, 11)}, closed=("lost", D(2026, 3, 1))),
    # D3: registered Feb 1, approved, qualified Feb 10, proposal Mar 5, still open
    deal("D3", D(2026, 2, 1), "500",
         stages={"approved": D(2026, 2, 2), "qualified": D(2026, 2, 10), "proposal": D(2026, 3, 5)}),
    # D4: registered Dec 20 (last quarter), approved, won Mar 20 for 3000 (90 days)
    deal("D4", D(2025, 12, 20), "3000", stages={"approved": D(2025, 12, 21)}, closed=("won", D(2026, 3, 20)),
         won="3000"),
    # D5: registered Mar 15, still registered
    deal("D5", D(2026, 3, 15), "700"),
    # D6: registered Jan 2, rejected Jan 3 (neither won nor lost)
    deal("D6", D(2026, 1, 2), "400", closed=("rejected", D(2026, 1, 3))),
    # D7: registered Nov 1, approved, expired Feb 15 (closed-lost)
    deal("D7", D(2025, 11, 1), "800", stages={"approved": D(2025, 11, 2)}, closed=("expired", D(2026, 2, 15))),
    # D8: registered Jan 20, approved, won Mar 31 for 600 (70 days)
    deal("D8", D(2026, 1, 20), "600", stages={"approved": D(2026, 1, 21)}, closed=("won", D(2026, 3, 31)),
         won="600"),
]  # fmt: skip


def test_quarter_deal_indicators() -> None:
    q = deal_indicators(summarize(Facts(BOOK)), Q1)
    # open at Mar 31: D3 (proposal, 500) and D5 (registered, 700)
    assert dict(q.pipeline_by_stage) == {
        "registered": Decimal(700), "approved": 0, "qualified": 0, "proposal": Decimal(500), "negotiation": 0,
    }  # fmt: skip
    assert q.pipeline_total == Decimal(1200)
    assert q.open_deals == 2
    # registered in Q1: D1 D2 D3 D5 D6 D8 = 6; approved: D1 D2 D3 D8 = 4/6; qualified D1 D3 = 2/6;
    # proposal D3 = 1/6; negotiation 0; won D1 D8 = 2/6
    assert q.registrations == 6
    assert dict(q.stage_conversion) == {
        "registered": Decimal("1.0000"), "approved": Decimal("0.6667"), "qualified": Decimal("0.3333"),
        "proposal": Decimal("0.1667"), "negotiation": Decimal("0.0000"), "won": Decimal("0.3333"),
    }  # fmt: skip
    # closed in Q1: won D1 D4 D8, lost D2 + expired D7, rejected D6 (not counted): 3 / (3 + 2)
    assert (q.won_deals, q.lost_deals) == (3, 2)
    assert q.win_rate == Decimal("0.6000")
    # 1200 + 3000 + 600 = 4800 over 3 wins
    assert q.won_revenue == Decimal(4800)
    assert q.average_deal_size == Decimal("1600.0000")
    # days to close 30, 90, 70: mean 190 / 3, median 70, p90 = ceil(2.7) = 3rd smallest = 90
    assert q.mean_days_to_close == Decimal("63.3333")
    assert q.median_days_to_close == Decimal(70)
    assert q.p90_days_to_close == 90
    # velocity: 2 open x 0.6 x 1600 = 1920 per 63.3333 days = 30.3158 a day
    assert q.pipeline_velocity == Decimal("30.3158")


def test_month_deal_indicators() -> None:
    feb = month_of(D(2026, 2, 1))
    m = deal_indicators(summarize(Facts(BOOK)), feb)
    # open at Feb 28: D2 approved 2000, D3 qualified 500, D4 approved 3000, D8 approved 600
    assert m.pipeline_by_stage["approved"] == Decimal(5600)
    assert m.pipeline_by_stage["qualified"] == Decimal(500)
    assert (m.pipeline_total, m.open_deals) == (Decimal(6100), 4)
    # registered in Feb: D3 only; closed: D1 won, D7 expired -> 1 / 2
    assert m.registrations == 1
    assert m.win_rate == Decimal("0.5000")
    assert m.average_deal_size == Decimal("1200.0000")
    assert (m.median_days_to_close, m.p90_days_to_close) == (Decimal(30), 30)
    # velocity: 4 x 0.5 x 1200 / 30 = 80
    assert m.pipeline_velocity == Decimal("80.0000")


def test_a_period_without_wins_has_no_rate_size_or_velocity() -> None:
    april = month_of(D(2026, 4, 1))
    a = deal_indicators(summarize(Facts(BOOK)), april)
    assert (a.win_rate, a.average_deal_size, a.pipeline_velocity, a.median_days_to_close) == (None, None, None, None)
    assert a.registrations == 0
    assert a.stage_conversion["approved"] is None  # nothing registered: no conversion to speak of
    assert a.open_deals == 2  # D3 and D5 stay open


def test_median_and_p90_nearest_rank() -> None:
    assert median([50, 10, 40, 20]) == Decimal(30)  # (20 + 40) / 2
    assert median([7]) == Decimal(7)
    assert median([]) is None
    assert median([1, 2]) == Decimal("1.5")
    assert percentile_nearest_rank(list(range(1, 11)), 90) == 9  # ceil(9.0) = 9th
    assert percentile_nearest_rank([5], 90) == 5
    assert percentile_nearest_rank([3, 1, 2, 4], 90) == 4  # ceil(3.6) = 4th
    assert percentile_nearest_rank([], 90) is None
    assert ratio(1, 3) == Decimal("0.3333")
    assert ratio(2, 3) == Decimal("0.6667")
    assert ratio(1, 0) is None


def test_marketing_engagement() -> None:
    requests = [
        MdfRequestFact("R1", "p-1", "webinar", "USD", Decimal(1000), Decimal(800), "approved", D(2026, 1, 10)),
        MdfRequestFact("R2", "p-1", "field_event", "USD", Decimal(500), None, "rejected", D(2026, 2, 1)),
        MdfRequestFact("R3", "p-1", "webinar", "USD", Decimal(300), Decimal(300), "approved", D(2025, 12, 1)),
    ]
    spend = [
        MdfSpendFact("S1", "p-1", "R1", "USD", Decimal(400), D(2026, 1, 20)),
        MdfSpendFact("S2", "p-1", "R1", "USD", Decimal(400), D(2026, 4, 2)),
        MdfSpendFact("S3", "p-1", "R3", "USD", Decimal(300), D(2026, 3, 1)),
    ]
    results = [
        MdfResultFact("R1", "p-1", "webinar", "USD", Decimal(800), 50, 40, 12, 3, D(2026, 3, 10)),
        MdfResultFact("R3", "p-1", "webinar", "USD", Decimal(300), 9, 9, 9, 9, D(2025, 12, 20)),
    ]
    m = marketing_indicators(summarize(Facts([], requests, spend, results)), Q1)
    # submitted in Q1: R1 and R2 (1000 + 500 asked, 800 approved); disbursed in Q1: S1 400 + S3 300
    assert (m.requests, m.requested, m.approved, m.spend) == (2, Decimal(1500), Decimal(800), Decimal(700))
    # reported in Q1: R1's results only
    assert (m.activities_reported, m.reported_spend) == (1, Decimal(800))
    assert (m.registrations, m.attendees, m.leads, m.opportunities_influenced) == (50, 40, 12, 3)


def test_engagement_activities_and_points() -> None:
    points = {"quarterly_business_review": 10, "certification": 8}
    activities = [
        EngagementFact("E1", "p-1", "quarterly_business_review", D(2026, 1, 15)),
        EngagementFact("E2", "p-1", "certification", D(2026, 2, 1)),
        EngagementFact("E3", "p-1", "certification", D(2026, 3, 1)),
        EngagementFact("E4", "p-1", "enablement_session", D(2026, 3, 2)),  # no points configured
        EngagementFact("E5", "p-1", "quarterly_business_review", D(2026, 4, 1)),  # next quarter
    ]
    e = engagement_indicators(summarize(Facts([], engagements=activities)), points, Q1)
    assert e.activities == 4
    assert dict(e.by_kind) == {"certification": 2, "enablement_session": 1, "quarterly_business_review": 1}
    assert e.points == 10 + 2 * 8  # 26


def test_periods() -> None:
    assert quarter_of(D(2026, 5, 17)).key == "2026-Q2"
    assert (Q1.start, Q1.end) == (D(2026, 1, 1), D(2026, 3, 31))
    assert parse_period("2024-02").end == D(2024, 2, 29)
    assert [p.key for p in periods_between(D(2025, 11, 30), D(2026, 2, 1), "month")] == [
        "2025-11", "2025-12", "2026-01", "2026-02",
    ]  # fmt: skip
    assert [p.key for p in periods_between(D(2025, 12, 31), D(2026, 4, 1), "quarter")] == [
        "2025-Q4", "2026-Q1", "2026-Q2",
    ]  # fmt: skip


def test_a_deal_stage_on_a_day() -> None:
    d1 = BOOK[0]
    assert d1.stage_on(D(2026, 1, 4)) is None
    assert d1.stage_on(D(2026, 1, 5)) == "registered"
    assert d1.stage_on(D(2026, 1, 19)) == "approved"
    assert d1.stage_on(D(2026, 2, 3)) == "qualified"
    assert d1.stage_on(D(2026, 2, 4)) == "won"
