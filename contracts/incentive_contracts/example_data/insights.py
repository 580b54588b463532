"""Examples of the insights service's events (drift alerts)."""

from __future__ import annotations

from .story import PARTNER, EventExample

EXAMPLES: dict[tuple[str, int], EventExample] = {
    ("insights.alert_raised", 1): EventExample(
        meaning="A partner or cohort drifted beyond a drift threshold: its win rate fell 26 % below its baseline.",
        data={
            "alert_id": "alert-3f9c2a7be1d04c5a8e6b0f12",
            "threshold_id": "win-rate-drop",
            "thresholds_version": 2,
            "indicator": "win_rate",
            "scope": "partner",
            "scope_id": PARTNER,
            "period": "2026-Q1",
            "rule": "drop_percent",
            "limit": "25",
            "value": "0.37",
            "baseline": "0.5000",
            "change": "-0.2600",
            "severity": "warning",
            "raised_at": "2026-04-01T09:30:00Z",
        },
    ),
    ("insights.alert_acknowledged", 1): EventExample(
        meaning="A channel manager acknowledged a drift alert and said why.",
        data={
            "alert_id": "alert-3f9c2a7be1d04c5a8e6b0f12",
            "acknowledged_by": "manager-emea",
            "reason": "known: two large deals slipped to Q2, reviewed with the partner",
            "acknowledged_at": "2026-04-02T08:15:00Z",
        },
    ),
}
