"""Reporting campaign results after the fact."""

from __future__ import annotations

from incentive_contracts.events.mdf import MdfResultsReported

from ..domain import results as model
from .effects import apply_events
from .ports import MdfUnit
from .requests import lock_request


async def report_results(
    unit: MdfUnit, command: model.ReportResults, *, by: str, partner_id: str | None
) -> MdfResultsReported:
    _, request = await lock_request(unit, command.request_id, partner_id=partner_id)
    [event] = model.decide_report_results(request, command)
    await apply_events(unit, [event], actor=by)
    assert isinstance(event, MdfResultsReported)
    return event
