"""Drift alerts end to end inside the service: thresholds as a YAML version, an evaluation that raises
(stored, emitted through the outbox, exported as a metric) once, the list with its partner policy,
and acknowledgement (who and why, also an event)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from incentive_contracts.events import deal as d
from incentive_contracts.events.insights import InsightsAlertAcknowledged
from insights.application.alerts import raised_event
from insights.config import InsightsSettings
from insights.domain.drift import Rule, Scope, Threshold, evaluate
from insights.entrypoints.api import create_app
from money_events import Fed, enrolled, feed_events, registered, won
from servicekit.db import create_engine
from servicekit.testing.client import app_client, auth_header
from sqlalchemy import text

THRESHOLDS = """
version: 3
effective_from: 2026-01-01
thresholds:
  - {id: win-rate-drop, indicator: win_rate, scope: partner, rule: drop_percent, limit: 30, baseline_periods: 3}
"""
QUARTER_DAYS = [date(2025, 8, 5), date(2025, 11, 5), date(2026, 2, 5), date(2026, 5, 5)]


def lost(partner_id: str, deal_id: str, on: date) -> d.DealLost:
    return d.DealLost(partner_id=partner_id, deal_id=deal_id, lost_on=on)


def quarter_deals(partner_id: str, day: date, wins: int, losses: int) -> list[object]:
    events: list[object] = []
    for n in range(wins + losses):
        deal_id = f"{partner_id}-{day:%Y%m}-{n}"
        events.append(registered(partner_id, deal_id, 1000, day))
        events.append(won(partner_id, deal_id, 1000, day) if n < wins else lost(partner_id, deal_id, day))
    return events


@pytest.fixture
def alert_settings(insights_settings: InsightsSettings, tmp_path: Path) -> InsightsSettings:
    (tmp_path / "v3.yaml").write_text(THRESHOLDS)
    return insights_settings.model_copy(update={"thresholds_dir": str(tmp_path), "metrics_open": True})


async def _outbox(settings: InsightsSettings) -> list[tuple[str, str]]:
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT event_type, partition_key FROM outbox ORDER BY sequence, event_id"))
            return [(r.event_type, r.partition_key) for r in rows]
    finally:
        await engine.dispose()


async def test_a_partner_drifting_beyond_a_threshold_raises_one_alert_that_is_acknowledged(
    alert_settings: InsightsSettings, clock: object
) -> None:
    events: list[object] = [enrolled("p-1"), enrolled("p-2")]
    for n, day in enumerate(QUARTER_DAYS):
        # p-1 wins 1 of 2 for three quarters (0.5), then 0 of 2 in 2026-Q2: down 100 % > 30 %
        events += quarter_deals("p-1", day, 0 if n == 3 else 1, 2 if n == 3 else 1)
        events += quarter_deals("p-2", day, 1, 1)  # steady at 0.5: no alert
    assert await feed_events(alert_settings, [e if isinstance(e, Fed) else Fed(e) for e in events]) == 0
    writer = auth_header(alert_settings, "insights:write", subject="manager-emea")
    staff = auth_header(alert_settings, "insights:read")
    async with app_client(create_app(alert_settings, clock=clock)) as client:  # type: ignore[arg-type]
        versions = (await client.get("/alerts/thresholds", headers=staff)).json()
        assert [(v["version"], v["in_force"]) for v in versions] == [(3, True)]

        evaluation = await client.post("/alerts/evaluations", json={"period": "2026-Q2"}, headers=writer)
        assert evaluation.status_code == 200, evaluation.text
        body = evaluation.json()
        assert (body["thresholds_version"], body["evaluated"]) == (3, 2)
        [alert] = body["raised"]
        assert {k: alert[k] for k in ("scope", "scope_id", "indicator", "period", "value", "baseline", "change")} == {
            "scope": "partner",
            "scope_id": "p-1",
            "indicator": "win_rate",
            "period": "2026-Q2",
            "value": "0.0000",
            "baseline": "0.5000",
            "change": "-1.0000",
        }
        assert alert["status"] == "open"
        again = await client.post("/alerts/evaluations", json={"period": "2026-Q2"}, headers=writer)
        assert again.json()["raised"] == []  # the same drift is raised once
        alert_id = alert["alert_id"]
        assert await _outbox(alert_settings) == [("insights.alert_raised", f"alert:{alert_id}")]

        metrics = (await client.get("/metrics")).text
        assert 'insights_drift_alerts_open{indicator="win_rate",scope="partner",severity="warning"} 1.0' in metrics

        listed = (await client.get("/alerts", headers=staff)).json()["items"]
        assert [a["alert_id"] for a in listed] == [alert_id]
        own = auth_header(alert_settings, "partner:read", partner_id="p-1")
        other = auth_header(alert_settings, "partner:read", partner_id="p-2")
        assert [a["alert_id"] for a in (await client.get("/alerts", headers=own)).json()["items"]] == [alert_id]
        assert (await client.get("/alerts", headers=other)).json()["items"] == []
        assert (await client.get(f"/alerts/{alert_id}", headers=other)).status_code == 404
        assert (
            await client.post(f"/alerts/{alert_id}/acknowledgements", json={"reason": "x"}, headers=own)
        ).status_code == 403

        ack = await client.post(
            f"/alerts/{alert_id}/acknowledgements", json={"reason": "two deals slipped to Q3"}, headers=writer
        )
        assert ack.status_code == 200, ack.text
        assert (ack.json()["status"], ack.json()["acknowledged_by"]) == ("acknowledged", "manager-emea")
        assert ack.json()["acknowledged_reason"] == "two deals slipped to Q3"
        twice = await client.post(f"/alerts/{alert_id}/acknowledgements", json={"reason": "again"}, headers=writer)
        assert twice.status_code == 409
        assert (
            await client.post("/alerts/nope/acknowledgements", json={"reason": "x"}, headers=writer)
        ).status_code == 404
        assert (await client.post(f"/alerts/{alert_id}/acknowledgements", json={}, headers=writer)).status_code == 422

        assert (await client.get("/alerts", headers=staff)).json()["items"] == []  # open only by default
        assert len((await client.get("/alerts", params={"status": "all"}, headers=staff)).json()["items"]) == 1
        assert [e for e, _ in await _outbox(alert_settings)] == ["insights.alert_raised", "insights.alert_acknowledged"]
        metrics = (await client.get("/metrics")).text
        assert 'insights_drift_alerts_open{indicator="win_rate"' not in metrics
        assert "insights_drift_alerts_raised_total 1.0" in metrics


async def test_an_evaluation_needs_a_quarter_and_a_threshold_version_in_force(
    alert_settings: InsightsSettings, tmp_path: Path, clock: object
) -> None:
    writer = auth_header(alert_settings, "insights:write")
    async with app_client(create_app(alert_settings, clock=clock)) as client:  # type: ignore[arg-type]
        bad = await client.post("/alerts/evaluations", json={"period": "2026-06"}, headers=writer)
        assert bad.status_code == 422
        assert "period" in bad.json()["detail"]
    (tmp_path / "v3.yaml").write_text(THRESHOLDS.replace("2026-01-01", "2027-01-01"))
    async with app_client(create_app(alert_settings, clock=clock)) as client:  # type: ignore[arg-type]
        none = await client.post("/alerts/evaluations", json={"period": "2026-Q2"}, headers=writer)
        assert none.status_code == 409


async def test_alerts_are_rebuilt_from_the_insights_topic(alert_settings: InsightsSettings, clock: object) -> None:
    threshold = Threshold("win-rate-drop", "win_rate", Scope.PARTNER, Rule.DROP_PERCENT, Decimal(30), 3)
    drift = evaluate(threshold, 3, "p-1", "2026-Q2", Decimal("0.2"), [Decimal("0.5")] * 3)
    assert drift is not None
    at = datetime(2026, 6, 30, 12, tzinfo=UTC)
    raised = raised_event(drift, at)
    ack = InsightsAlertAcknowledged.model_validate(
        {"alert_id": drift.alert_id, "acknowledged_by": "manager-emea", "reason": "known", "acknowledged_at": at}
    )
    # replayed twice (a rebuild over events already applied under other ids): one alert, acknowledged once
    assert await feed_events(alert_settings, [Fed(raised), Fed(ack), Fed(raised), Fed(ack)]) == 0
    staff = auth_header(alert_settings, "insights:read")
    async with app_client(create_app(alert_settings, clock=clock)) as client:  # type: ignore[arg-type]
        [alert] = (await client.get("/alerts", params={"status": "all"}, headers=staff)).json()["items"]
    assert (alert["alert_id"], alert["value"], alert["change"], alert["status"]) == (
        drift.alert_id,
        "0.2",
        "-0.6000",
        "acknowledged",
    )
    assert (alert["acknowledged_by"], alert["acknowledged_reason"]) == ("manager-emea", "known")
