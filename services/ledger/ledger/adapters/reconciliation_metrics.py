"""Prometheus gauges of the cross-service reconciliation, from the latest stored run (the CronJob runs
`ledger reconcile` in another process; the API exports what it stored, at scrape time).

- ``ledger_reconciliation_differences{check}``: differences of the latest completed run, per check
- ``ledger_reconciliation_compared{source}``: items it compared per source
- ``ledger_reconciliation_last_run_timestamp_seconds``: when the latest run (completed or not) ended
- ``ledger_reconciliation_last_success_timestamp_seconds``: when the latest completed run ended
- ``ledger_reconciliation_last_run_failed``: 1 when the latest run could not read a source
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.service_reconciliation import CHECKS
from .reconciliation_runs import latest_run


async def reconciliation_gauges(conn: AsyncConnection, registry: CollectorRegistry) -> None:
    differences = Gauge(
        "ledger_reconciliation_differences",
        "Differences the latest completed cross-service reconciliation found, per check",
        ["check"],
        registry=registry,
    )
    compared = Gauge(
        "ledger_reconciliation_compared", "Items the latest completed run compared", ["source"], registry=registry
    )
    last_run = Gauge(
        "ledger_reconciliation_last_run_timestamp_seconds", "End of the latest reconciliation run", registry=registry
    )
    last_success = Gauge(
        "ledger_reconciliation_last_success_timestamp_seconds",
        "End of the latest reconciliation run that read every source",
        registry=registry,
    )
    failed = Gauge(
        "ledger_reconciliation_last_run_failed", "1 when the latest run could not read a source", registry=registry
    )
    latest = await latest_run(conn)
    if latest is None:
        return  # never ran: only the metric names (an alert on absent/zero timestamps fires)
    last_run.set(latest["finished_at"].timestamp())
    failed.set(1 if latest["error"] is not None else 0)
    done = latest if latest["error"] is None else await latest_run(conn, completed=True)
    if done is None:
        return
    last_success.set(done["finished_at"].timestamp())
    for check in (*CHECKS, *sorted(set(done["counts"]) - set(CHECKS))):
        differences.labels(check).set(done["counts"].get(check, 0))
    for source, n in done["compared"].items():
        compared.labels(source).set(n)
