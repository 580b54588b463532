"""Prometheus gauges of the drift alerts, read from the database at scrape time (the container's
``extra_metrics``): open alerts per indicator, scope and severity, and every alert raised."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .money_queries import SqlAlertQueries
from .money_tables import alerts


async def alert_gauges(conn: AsyncConnection, registry: CollectorRegistry) -> None:
    open_alerts = Gauge(
        "insights_drift_alerts_open",
        "Drift alerts raised and not acknowledged",
        ["indicator", "scope", "severity"],
        registry=registry,
    )
    raised = Gauge("insights_drift_alerts_raised_total", "Drift alerts raised (acknowledged or not)", registry=registry)
    for indicator, scope, severity, count in await SqlAlertQueries(conn).open_count():
        open_alerts.labels(indicator, scope, severity).set(count)
    raised.set((await conn.execute(select(func.count()).select_from(alerts))).scalar_one())
