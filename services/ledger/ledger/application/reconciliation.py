"""Quarterly reconciliation for finance: forecasts recorded, and forecast against actual per period."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from ..domain.reconciliation import Forecast, Reconciliation, period_bounds, reconcile

if TYPE_CHECKING:
    from .queries import LedgerQueries


class ForecastStore(Protocol):
    async def record(self, period: str, currency: str, forecast: Forecast, by: str, now: datetime) -> None:
        """Record (or replace) the forecast of a period and currency."""
        ...


async def record_forecast(
    store: ForecastStore, period: str, currency: str, forecast: Forecast, *, by: str, now: datetime
) -> None:
    await store.record(period, currency, forecast, by, now)


async def reconcile_period(queries: LedgerQueries, period: str) -> Reconciliation:
    """Forecast against actual and the journal's own checks for the period (ValueError: no such period)."""
    start, end = period_bounds(period)
    totals = await queries.period_totals(period, start, end)
    return reconcile(period, totals.sums, totals.payouts, totals.forecasts)
