"""insights.* events: drift alerts raised and acknowledged (insights service).

An alert is about a partner or a cohort, not always a partner: like ``program.*`` events it has no
``partner_id``; its subject, partition key and Kafka record key are ``alert:<alert_id>``, so an
alert's acknowledgement stays behind its raising on one partition.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from ..payload import EventPayload
from ..registry import register

ALERT_SUBJECT_PREFIX = "alert:"
DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"


class _AlertEvent(EventPayload):
    key_doc: ClassVar[str] = "alert:<alert_id>"
    partner_id: ClassVar[str] = ""  # type: ignore[misc]  # about an alert: no partner_id field

    alert_id: str = Field(min_length=1, max_length=64)

    @property
    def subject(self) -> str:
        return ALERT_SUBJECT_PREFIX + self.alert_id


@register
class InsightsAlertRaised(_AlertEvent):
    """A partner or cohort drifted beyond a threshold of the drift-threshold version in force."""

    event_type = "insights.alert_raised"
    version = 1

    threshold_id: str = Field(min_length=1)
    thresholds_version: int = Field(ge=1)
    indicator: str = Field(min_length=1)
    scope: Literal["partner", "cohort"]
    scope_id: str = Field(min_length=1, description="the partner id, or the cohort as '<dimension>:<value>'")
    period: str = Field(description="the period evaluated: YYYY-Qn or YYYY-MM")
    rule: Literal["drop_percent", "rise_percent", "below", "above"]
    limit: str = Field(pattern=DECIMAL)
    value: str = Field(pattern=DECIMAL, description="the indicator's value in the period, a decimal string")
    baseline: str | None = Field(default=None, pattern=DECIMAL, description="the mean of the baseline periods")
    change: str | None = Field(default=None, pattern=DECIMAL, description="relative change, -0.25 = down 25 %")
    severity: str = Field(min_length=1)
    raised_at: datetime


@register
class InsightsAlertAcknowledged(_AlertEvent):
    """Someone acknowledged a drift alert, saying why."""

    event_type = "insights.alert_acknowledged"
    version = 1

    acknowledged_by: str = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=1000)
    acknowledged_at: datetime
