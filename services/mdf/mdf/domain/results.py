"""Campaign results reported after the fact (the claim's results are reported on its approval)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from incentive_contracts.events.mdf import CampaignResults, MdfResultsReported
from incentive_contracts.payload import EventPayload

from .errors import RuleViolation
from .request import MdfRequest, RequestStatus, require_status


@dataclass(frozen=True)
class ReportResults:
    result_id: str
    request_id: str
    results: CampaignResults
    reported_on: date


def decide_report_results(request: MdfRequest, command: ReportResults) -> list[EventPayload]:
    require_status(request, "take results", RequestStatus.APPROVED, RequestStatus.COMPLETED)
    if all(value is None for value in command.results.model_dump().values()):
        raise RuleViolation.single("results_empty", "report at least one result (registrations, attendees, ...)")
    spend = request.claimed_amount if request.claimed_amount is not None else request.approved_amount
    assert spend is not None  # approved and completed requests always carry an approved amount
    return [
        MdfResultsReported(
            partner_id=request.partner_id,
            result_id=command.result_id,
            request_id=request.request_id,
            claim_id=None,
            period=request.period,
            activity_type=request.activity_type,
            spend=request.money(spend),
            results=command.results,
            reported_on=command.reported_on,
        )
    ]
