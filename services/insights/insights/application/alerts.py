"""Drift alerts: evaluate the thresholds in force over the indicator read models, raise what drifted
(stored and announced through the outbox once), and acknowledge an alert (who and why)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from incentive_contracts.events.insights import InsightsAlertAcknowledged, InsightsAlertRaised
from incentive_contracts.payload import EventPayload

from ..domain.drift import Drift, Scope, ThresholdSet, evaluate, in_force
from ..domain.errors import NotFound
from ..domain.money_errors import AlreadyDone, NoThresholds
from ..domain.quarters import shift
from .money_ports import AlertQueries, MoneyWriter, StoredAlert


class IndicatorSource(Protocol):
    """Indicator values per quarter for partners and cohorts (``<dimension>:<value>``)."""

    async def subjects(self, scope: Scope) -> list[str]: ...
    async def series(
        self, scope: Scope, subject: str, indicator: str, quarters: Sequence[str]
    ) -> list[Decimal | None]: ...


class Publisher(Protocol):
    def publish(
        self, payload: EventPayload, *, time: datetime, causation_id: str | None = None, event_id: str | None = None
    ) -> str: ...


@dataclass(frozen=True)
class Evaluation:
    thresholds_version: int
    period: str
    evaluated: int
    raised: list[StoredAlert]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def raised_event(drift: Drift, at: datetime) -> InsightsAlertRaised:
    return InsightsAlertRaised.model_validate(
        {
            "alert_id": drift.alert_id,
            "threshold_id": drift.threshold_id,
            "thresholds_version": drift.thresholds_version,
            "indicator": drift.indicator,
            "scope": drift.scope.value,
            "scope_id": drift.subject,
            "period": drift.period,
            "rule": drift.rule.value,
            "limit": _text(drift.limit),
            "value": _text(drift.value),
            "baseline": _text(drift.baseline),
            "change": _text(drift.change),
            "severity": drift.severity,
            "raised_at": at,
        }
    )


async def evaluate_alerts(
    source: IndicatorSource,
    writer: MoneyWriter,
    publisher: Publisher,
    sets: Sequence[ThresholdSet],
    *,
    period: str,
    today: date,
    now: datetime,
) -> Evaluation:
    """Evaluate ``period`` (``YYYY-Qn``) under the threshold version in force ``today``."""
    thresholds = in_force(sets, today)
    if thresholds is None:
        raise NoThresholds(f"no drift-threshold version is in force on {today}")
    raised: list[StoredAlert] = []
    evaluated = 0
    for threshold in thresholds.thresholds:
        quarters = [shift(period, -k) for k in range(threshold.baseline_periods, -1, -1)]
        for subject in await source.subjects(threshold.scope):
            values = await source.series(threshold.scope, subject, threshold.indicator, quarters)
            evaluated += 1
            drift = evaluate(threshold, thresholds.version, subject, period, values[-1], values[:-1])
            if drift is None:
                continue
            alert = StoredAlert(drift, subject if drift.scope is Scope.PARTNER else None, now)
            if await writer.record_alert(alert):
                publisher.publish(raised_event(drift, now), time=now, event_id=_event_id(drift.alert_id, "raised"))
                raised.append(alert)
    return Evaluation(thresholds.version, period, evaluated, raised)


async def acknowledge(
    queries: AlertQueries,
    writer: MoneyWriter,
    publisher: Publisher,
    *,
    alert_id: str,
    by: str,
    reason: str,
    now: datetime,
) -> StoredAlert:
    alert = await queries.get(alert_id)
    if alert is None:
        raise NotFound(f"no alert {alert_id}")
    if alert.acknowledged_at is not None:
        raise AlreadyDone(f"alert {alert_id} was acknowledged by {alert.acknowledged_by} at {alert.acknowledged_at}")
    await writer.acknowledge_alert(alert_id, by, reason, now)
    event = InsightsAlertAcknowledged.model_validate(
        {"alert_id": alert_id, "acknowledged_by": by, "reason": reason, "acknowledged_at": now}
    )
    publisher.publish(event, time=now, event_id=_event_id(alert_id, "acknowledged"))
    return StoredAlert(alert.drift, alert.partner_id, alert.raised_at, by, reason, now)


def _event_id(alert_id: str, what: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:insights:{alert_id}:{what}"))
