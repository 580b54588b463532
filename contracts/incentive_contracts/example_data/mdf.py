"""The mdf service's events: allocations, requests, claims, disbursements and expiries."""

from __future__ import annotations

from .story import DEAL, PARTNER, EventExample

EXAMPLES: dict[tuple[str, int], EventExample] = {
    ("mdf.allocated", 1): EventExample(
        meaning="Market development funds were allocated to a partner for a period.",
        data={
            "partner_id": PARTNER,
            "allocation_id": "alloc-2026-q2-0015",
            "period": "2026-Q2",
            "amount": {"amount": "15000.00", "currency": "EUR"},
            "allocated_on": "2026-03-25",
        },
    ),
    ("mdf.claim_approved", 1): EventExample(
        meaning="A partner's claim with proof of performance was approved for disbursement.",
        data={
            "partner_id": PARTNER,
            "claim_id": "claim-2026-0088",
            "request_id": "mdfreq-2026-0061",
            "period": "2026-Q1",
            "approved_amount": {"amount": "4250.50", "currency": "EUR"},
            "approved_on": "2026-03-31",
        },
    ),
    ("mdf.request_submitted", 1): EventExample(
        meaning="A partner asked for pre-approval of a marketing activity with its plan, budget and own share.",
        data={
            "partner_id": PARTNER,
            "request_id": "mdfreq-2026-0061",
            "period": "2026-Q1",
            "activity_type": "webinar",
            "title": "Predictive maintenance with cloud analytics (DACH webinar series)",
            "planned_cost": {"amount": "10000.00", "currency": "EUR"},
            "requested_amount": {"amount": "5000.00", "currency": "EUR"},
            "partner_share": "0.5",
            "starts_on": "2026-02-16",
            "ends_on": "2026-02-27",
            "expected_results": {"registrations": 400, "leads": 60},
            "milestones": [
                {"name": "plan", "trigger": "plan_approved", "percent": "50"},
                {"name": "proof", "trigger": "proof_approved", "percent": "50"},
            ],
            "submitted_on": "2026-01-26",
            "submitted_by": "northwind:k.meyer",
        },
    ),
    ("mdf.request_approved", 1): EventExample(
        meaning="A manager pre-approved an MDF request, possibly for less than asked; the amount is reserved.",
        data={
            "partner_id": PARTNER,
            "request_id": "mdfreq-2026-0061",
            "period": "2026-Q1",
            "requested_amount": {"amount": "5000.00", "currency": "EUR"},
            "approved_amount": {"amount": "4500.00", "currency": "EUR"},
            "approved_on": "2026-01-28",
            "approved_by": "manager:j.doe",
            "claim_deadline": "2026-04-28",
        },
    ),
    ("mdf.request_rejected", 1): EventExample(
        meaning="A manager rejected an MDF request with a reason; nothing was reserved.",
        data={
            "partner_id": PARTNER,
            "request_id": "mdfreq-2026-0064",
            "period": "2026-Q1",
            "requested_amount": {"amount": "8000.00", "currency": "EUR"},
            "reason": "trade show is outside the partner's territory",
            "rejected_on": "2026-02-03",
            "rejected_by": "manager:j.doe",
        },
    ),
    ("mdf.request_cancelled", 1): EventExample(
        meaning="An MDF request was cancelled or lapsed at the period close; what it reserved is released.",
        data={
            "partner_id": PARTNER,
            "request_id": "mdfreq-2026-0070",
            "period": "2026-Q1",
            "released_amount": {"amount": "1500.00", "currency": "EUR"},
            "reason": "claim deadline 2026-03-31 passed without a claim",
            "lapsed": True,
            "cancelled_on": "2026-04-02",
            "cancelled_by": "period-close",
        },
    ),
    ("mdf.claim_submitted", 1): EventExample(
        meaning="A partner claimed against an approved MDF request with invoice, proof of performance and results.",
        data={
            "partner_id": PARTNER,
            "claim_id": "claim-2026-0088",
            "request_id": "mdfreq-2026-0061",
            "period": "2026-Q1",
            "claimed_amount": {"amount": "4500.00", "currency": "EUR"},
            "actual_cost": {"amount": "9300.00", "currency": "EUR"},
            "invoice_ref": "INV-NW-2026-0311",
            "proof": [
                {
                    "reference": "https://files.northwind.example/mdf/webinar-attendance.csv",
                    "content_hash": "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b",
                }
            ],
            "results": {"registrations": 431, "attendees": 212, "leads": 57, "opportunities_influenced": 6},
            "submitted_on": "2026-03-09",
            "submitted_by": "northwind:k.meyer",
        },
    ),
    ("mdf.claim_rejected", 1): EventExample(
        meaning="A manager rejected an MDF claim with a reason; the partner may claim again before the deadline.",
        data={
            "partner_id": PARTNER,
            "claim_id": "claim-2026-0081",
            "request_id": "mdfreq-2026-0058",
            "period": "2026-Q1",
            "claimed_amount": {"amount": "2000.00", "currency": "EUR"},
            "reason": "invoice does not name the vendor's products",
            "rejected_on": "2026-03-20",
            "rejected_by": "manager:j.doe",
        },
    ),
    ("mdf.disbursed", 1): EventExample(
        meaning="One milestone of an approved MDF request was paid out; the total never exceeds what was approved.",
        data={
            "partner_id": PARTNER,
            "disbursement_id": "mdfreq-2026-0061/proof",
            "request_id": "mdfreq-2026-0061",
            "claim_id": "claim-2026-0088",
            "period": "2026-Q1",
            "milestone": "proof",
            "trigger": "proof_approved",
            "amount": {"amount": "2000.50", "currency": "EUR"},
            "disbursed_on": "2026-03-31",
        },
    ),
    ("mdf.accrual_clawed_back", 1): EventExample(
        meaning="The mdf service took a reversed MDF accrual back from the fund (at most what was available).",
        data={
            "partner_id": PARTNER,
            "deal_id": DEAL,
            "reversal_entry_id": "je-000000000902",
            "reverses": "je-000000000732",
            "period": "2026-Q1",
            "amount": {"amount": "600.00", "currency": "EUR"},
            "requested": {"amount": "600.00", "currency": "EUR"},
            "unrecovered": {"amount": "0.00", "currency": "EUR"},
            "clawed_on": "2026-04-20",
        },
    ),
    ("mdf.funds_expired", 1): EventExample(
        meaning="Unreserved MDF of a closed period expired.",
        data={
            "partner_id": PARTNER,
            "period": "2026-Q1",
            "amount": {"amount": "3749.50", "currency": "EUR"},
            "reason": "period 2026-Q1 closed",
            "expired_on": "2026-04-02",
        },
    ),
    ("mdf.reservation_released", 1): EventExample(
        meaning="Reserved MDF went back to available without a payout (a claim approved for less than reserved).",
        data={
            "partner_id": PARTNER,
            "request_id": "mdfreq-2026-0061",
            "claim_id": "claim-2026-0088",
            "period": "2026-Q1",
            "amount": {"amount": "250.00", "currency": "EUR"},
            "reason": "claim claim-2026-0088 approved for 3750.00 EUR of the 4000.00 EUR reserved",
            "released_on": "2026-03-31",
        },
    ),
    ("mdf.disbursement_recovered", 1): EventExample(
        meaning="MDF paid out for a claim that failed its spot audit was taken back into the fund.",
        data={
            "partner_id": PARTNER,
            "recovery_id": "audit:claim-2026-0088",
            "request_id": "mdfreq-2026-0061",
            "claim_id": "claim-2026-0088",
            "period": "2026-Q1",
            "amount": {"amount": "4250.50", "currency": "EUR"},
            "reason": "spot audit 2026-Q2 failed by auditor:r.lee: the invoice does not match the activity",
            "recovered_on": "2026-04-20",
        },
    ),
    ("mdf.results_reported", 1): EventExample(
        meaning="Campaign results of an MDF activity and what it cost the program, for ROI analysis.",
        data={
            "partner_id": PARTNER,
            "result_id": "claim-2026-0088",
            "request_id": "mdfreq-2026-0061",
            "claim_id": "claim-2026-0088",
            "period": "2026-Q1",
            "activity_type": "webinar",
            "spend": {"amount": "4250.50", "currency": "EUR"},
            "results": {"registrations": 431, "attendees": 212, "leads": 57, "opportunities_influenced": 6},
            "reported_on": "2026-03-31",
        },
    ),
}
