"""One handwritten, realistic example per registered (event type, version), and its envelope.

The examples document the catalogue (the ``meaning`` of each event feeds the README table and the
AsyncAPI messages), are embedded in the AsyncAPI document, and are what the contract tests push
through every reader. Adding an event? Add one :class:`EventExample` to :data:`EXAMPLES`; the
contract tests fail, naming the event, until you do.

The data is written as it travels on the wire: JSON types only, dates as ISO strings, amounts as
decimal strings with a currency code. One story runs through them: partner ``northwind`` wins a
deal with Globex, earns a rebate and MDF, and later refunds part of it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from . import registry
from .envelope import CloudEvent
from .payload import EventPayload
from .producers import source_for

EXAMPLE_TIME = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)
EXAMPLE_SEQUENCE = 17
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:partner-incentives:examples")


@dataclass(frozen=True)
class EventExample:
    """What an event means (one sentence) and one realistic payload, as JSON."""

    meaning: str
    data: dict[str, Any]


class MissingExampleError(LookupError):
    """A registered event has no entry in :data:`EXAMPLES`."""


def example_event_id(event_type: str, version: int) -> str:
    """A stable event id per example, so generated documents do not change between runs."""
    return str(uuid.uuid5(_NAMESPACE, f"{event_type}:v{version}"))


PARTNER = "northwind"
PROGRAM = "growth-2026"
DEAL = "deal-2026-0193"

EXAMPLES: dict[tuple[str, int], EventExample] = {
    ("partner.enrolled", 1): EventExample(
        meaning="A partner joined an incentive program (v1: without contacts).",
        data={
            "partner_id": PARTNER,
            "name": "Northwind Systems GmbH",
            "partner_type": "system_integrator",
            "region": "EMEA",
            "vertical": "manufacturing",
            "domain": "northwind.example",
            "program_id": PROGRAM,
            "enrolled_on": "2026-01-12",
        },
    ),
    ("partner.enrolled", 2): EventExample(
        meaning="A partner joined an incentive program, with its contacts; it can now register deals and earn.",
        data={
            "partner_id": PARTNER,
            "name": "Northwind Systems GmbH",
            "partner_type": "system_integrator",
            "region": "EMEA",
            "vertical": "manufacturing",
            "domain": "northwind.example",
            "program_id": PROGRAM,
            "enrolled_on": "2026-01-12",
            "contacts": [
                {
                    "name": "Katrin Meyer",
                    "email": "k.meyer@northwind.example",
                    "role": "alliance manager",
                    "phone": "+49 30 1234567",
                },
                {"name": "Ole Hansen", "email": "o.hansen@northwind.example", "role": "finance", "phone": None},
            ],
        },
    ),
    ("partner.updated", 1): EventExample(
        meaning="A partner's attributes changed; the event carries the full attribute set after the change.",
        data={
            "partner_id": PARTNER,
            "name": "Northwind Systems GmbH",
            "partner_type": "managed_service_provider",
            "region": "EMEA",
            "vertical": "manufacturing",
            "domain": "northwind.example",
            "program_id": PROGRAM,
            "contacts": [
                {
                    "name": "Katrin Meyer",
                    "email": "k.meyer@northwind.example",
                    "role": "alliance manager",
                    "phone": "+49 30 1234567",
                }
            ],
            "changed": ["partner_type", "contacts"],
            "updated_on": "2026-02-02",
        },
    ),
    ("partner.deactivated", 1): EventExample(
        meaning="A partner left the program: no new registrations or engagement from then on.",
        data={
            "partner_id": "fabrikam-it",
            "deactivated_on": "2026-06-30",
            "reason": "partner agreement terminated at the end of its term",
        },
    ),
    ("partner.tier_changed", 1): EventExample(
        meaning="The ledger re-evaluated a partner's tier (on schedule or on a threshold) and it changed.",
        data={
            "partner_id": PARTNER,
            "program_id": PROGRAM,
            "previous_tier": "silver",
            "tier": "gold",
            "effective_at": "2026-04-01",
            "reason": "Q1 won revenue 412000.00 EUR and 3 certifications passed the gold threshold",
            "rule_version": 3,
        },
    ),
    ("program.version_published", 1): EventExample(
        meaning="The ledger published a program version; registration enrols partners only into published programs.",
        data={
            "program_id": PROGRAM,
            "program_version": 3,
            "effective_from": "2026-05-01",
            "published_at": "2026-04-01T09:30:00Z",
            "label": "EMEA partner program",
            "correction": False,
        },
    ),
    ("deal.registered", 1): EventExample(
        meaning="A partner registered an opportunity (customer, product line, expected value and close).",
        data={
            "partner_id": PARTNER,
            "deal_id": DEAL,
            "customer_name": "Globex Manufacturing AG",
            "customer_domain": "globex.example",
            "product_line": "cloud-analytics",
            "expected_amount": {"amount": "120000.00", "currency": "EUR"},
            "expected_close": "2026-03-27",
            "registered_on": "2026-01-20",
        },
    ),
    ("deal.approved", 1): EventExample(
        meaning="A deal registration passed the conflict checks and was approved, automatically or by a manager.",
        data={
            "partner_id": PARTNER,
            "deal_id": DEAL,
            "approved_on": "2026-01-21",
            "approved_by": "manager:j.doe",
        },
    ),
    ("deal.won", 1): EventExample(
        meaning="A deal closed won (v1: amount and currency as two fields, no proof of influence).",
        data={
            "partner_id": PARTNER,
            "deal_id": "deal-2025-0871",
            "product_line": "cloud-analytics",
            "amount": "48500.00",
            "currency": "EUR",
            "closed_on": "2025-11-28",
        },
    ),
    ("deal.won", 2): EventExample(
        meaning="A deal closed won, with the won amount and the partner's proof of influence; rewards follow.",
        data={
            "partner_id": PARTNER,
            "deal_id": DEAL,
            "product_line": "cloud-analytics",
            "amount": {"amount": "120000.00", "currency": "EUR"},
            "closed_on": "2026-03-27",
            "registered": True,
            "influence": [
                {"kind": "joint_demo", "occurred_on": "2026-02-10", "evidence_ref": "crm:activity/00T5e00001XyZ"},
                {"kind": "co_selling_call", "occurred_on": "2026-03-04", "evidence_ref": "crm:activity/00T5e00002AbC"},
            ],
        },
    ),
    ("deal.lost", 1): EventExample(
        meaning="A deal closed lost; its registration stops protecting the partner.",
        data={
            "partner_id": PARTNER,
            "deal_id": "deal-2026-0207",
            "lost_on": "2026-03-30",
            "reason": "customer chose a competitor",
        },
    ),
    ("deal.reversed", 1): EventExample(
        meaning="A won deal was cancelled or refunded inside the clawback window; its rewards are reversed.",
        data={
            "partner_id": PARTNER,
            "deal_id": DEAL,
            "reversed_on": "2026-05-15",
            "amount": {"amount": "30000.00", "currency": "EUR"},
            "full": False,
            "reason": "customer returned 25 of 100 seats",
        },
    ),
    ("deal.conflicted", 1): EventExample(
        meaning="A registration collides with another partner's active one or a vendor-direct deal; it waits.",
        data={
            "partner_id": PARTNER,
            "deal_id": DEAL,
            "conflicted_on": "2026-01-20",
            "kind": "channel_conflict",
            "conflicts_with": ["deal-2026-0188"],
        },
    ),
    ("deal.rejected", 1): EventExample(
        meaning="A deal registration was rejected with a reason; it protects nothing and earns nothing.",
        data={
            "partner_id": "fabrikam-it",
            "deal_id": "deal-2026-0188",
            "rejected_on": "2026-01-21",
            "rejected_by": "manager:j.doe",
            "reason": "conflict awarded to northwind, who registered the opportunity with proof of a joint demo",
        },
    ),
    ("deal.conflict_resolved", 1): EventExample(
        meaning="A manager awarded a conflict to this registration; the competing ones were rejected.",
        data={
            "partner_id": PARTNER,
            "deal_id": DEAL,
            "resolved_on": "2026-01-21",
            "resolved_by": "manager:j.doe",
            "rejected_deal_ids": ["deal-2026-0188"],
            "released_direct_deals": [],
            "note": "northwind sourced the opportunity",
        },
    ),
    ("deal.stage_changed", 1): EventExample(
        meaning="An open deal moved to another pipeline stage (from the API or a CRM update).",
        data={
            "partner_id": PARTNER,
            "deal_id": DEAL,
            "from_stage": "qualified",
            "to_stage": "proposal",
            "changed_at": "2026-02-18T15:42:07Z",
            "forecast_close": "2026-03-27",
            "source": "crm:salesforce",
        },
    ),
    ("deal.forecast_changed", 1): EventExample(
        meaning="The expected amount or forecast close date of an open deal changed.",
        data={
            "partner_id": PARTNER,
            "deal_id": DEAL,
            "expected_amount": {"amount": "120000.00", "currency": "EUR"},
            "expected_close": "2026-03-27",
            "changed_at": "2026-03-02T08:15:00Z",
        },
    ),
    ("deal.expired", 1): EventExample(
        meaning="An approved registration made no progress for the configured number of days and lapsed.",
        data={
            "partner_id": PARTNER,
            "deal_id": "deal-2025-0954",
            "expired_on": "2026-03-16",
            "last_progress_on": "2025-12-16",
            "stage": "qualified",
        },
    ),
    ("deal.influence_recorded", 1): EventExample(
        meaning="Proof that the partner influenced a deal; only activities dated before the close count.",
        data={
            "partner_id": PARTNER,
            "deal_id": DEAL,
            "activity_id": "act-2026-0311",
            "kind": "joint_demo",
            "occurred_on": "2026-02-10",
            "evidence_ref": "crm:activity/00T5e00001XyZ",
        },
    ),
    ("deal.flagged", 1): EventExample(
        meaning="An anomaly on a registration; the ledger holds the deal's rewards until the flag is cleared.",
        data={
            "partner_id": PARTNER,
            "deal_id": "deal-2026-0240",
            "reason": "registered_near_close",
            "detail": "registered 2 days before the forecast close of 2026-04-03",
            "flagged_on": "2026-04-01",
        },
    ),
    ("deal.flag_cleared", 1): EventExample(
        meaning="A reviewer cleared an anomaly flag; held rewards of the deal are released.",
        data={
            "partner_id": PARTNER,
            "deal_id": "deal-2026-0240",
            "reason": "registered_near_close",
            "cleared_on": "2026-04-06",
            "cleared_by": "manager:j.doe",
            "note": "customer confirmed northwind ran the evaluation since February",
        },
    ),
    ("deal.flag_confirmed", 1): EventExample(
        meaning="A reviewer confirmed an anomaly flag: the deal is rejected and the ledger reverses its rewards.",
        data={
            "partner_id": PARTNER,
            "deal_id": "deal-2026-0241",
            "reason": "self_dealing",
            "confirmed_on": "2026-04-06",
            "confirmed_by": "manager:j.doe",
            "note": "the customer is a subsidiary of northwind",
        },
    ),
    ("engagement.recorded", 1): EventExample(
        meaning="A commitment activity happened (business review, plan, enablement, certification, joint marketing).",
        data={
            "partner_id": PARTNER,
            "engagement_id": "eng-2026-0042",
            "kind": "quarterly_business_review",
            "occurred_on": "2026-03-18",
            "evidence_ref": "https://files.northwind.example/qbr/2026-q1.pdf",
        },
    ),
    ("ledger.entry_posted", 1): EventExample(
        meaning="The ledger posted a balanced journal entry (a reward, clawback, hold or payout) for a partner.",
        data={
            "partner_id": PARTNER,
            "entry_id": "je-000000000731",
            "caused_by": example_event_id("deal.won", 2),
            "kind": "rebate",
            "postings": [
                {"account": f"program:{PROGRAM}:rebate_expense", "amount": {"amount": "9600.00", "currency": "EUR"}},
                {"account": f"partner:{PARTNER}:rebates_payable", "amount": {"amount": "-9600.00", "currency": "EUR"}},
            ],
            "rule_id": "rebate-by-tier",
            "rule_version": 3,
            "entry_hash": "9f2c4e1b7a0d3c5e8f6a2b4d1c3e5f7a9b0c2d4e6f8a1b3c5d7e9f0a2b4c6d8e",
        },
    ),
    ("ledger.mdf_accrued", 1): EventExample(
        meaning="MDF accrued into a partner's fund as a percentage of won revenue; the mdf service credits it.",
        data={
            "partner_id": PARTNER,
            "entry_id": "je-000000000732",
            "deal_id": DEAL,
            "period": "2026-Q1",
            "amount": {"amount": "2400.00", "currency": "EUR"},
            "rate": "0.02",
            "rule_version": 3,
        },
    ),
    ("ledger.mdf_accrual_reversed", 1): EventExample(
        meaning="A clawback took back part of an MDF accrual after a refund; the mdf service debits the fund.",
        data={
            "partner_id": PARTNER,
            "entry_id": "je-000000000902",
            "reverses": "je-000000000732",
            "deal_id": DEAL,
            "period": "2026-Q1",
            "amount": {"amount": "600.00", "currency": "EUR"},
            "rule_version": 3,
        },
    ),
    ("ledger.payout_batched", 1): EventExample(
        meaning="A partner's payable rewards entered a payout batch (payable to in payment); finance pays the line.",
        data={
            "partner_id": PARTNER,
            "batch_id": "5f0c3c1e-8d0b-5a55-9a51-8f3f0c1d2e4b",
            "line_id": "0d4b8a52-3c1e-5f6a-8b9c-1d2e3f4a5b6c",
            "entry_id": "je-000000001207",
            "amount": {"amount": "9000.00", "currency": "EUR"},
            "cutoff": "2026-03-31T23:59:59Z",
            "payee_reference": "PIL-20260331-EUR-northwind",
            "entries_covered": 3,
            "coverage_hash": "4b227777d4dd1fc61c6f884f48641d02b4d121d3fd328cb08b5531fcacdabf8a",
            "registration_sequence": 12,
        },
    ),
    ("ledger.payout_settled", 1): EventExample(
        meaning="Finance acknowledged a payout line as paid (in payment to paid), with its payment reference.",
        data={
            "partner_id": PARTNER,
            "batch_id": "5f0c3c1e-8d0b-5a55-9a51-8f3f0c1d2e4b",
            "line_id": "0d4b8a52-3c1e-5f6a-8b9c-1d2e3f4a5b6c",
            "entry_id": "je-000000001301",
            "amount": {"amount": "9000.00", "currency": "EUR"},
            "payment_reference": "SEPA-2026-04-07-000193",
            "paid_at": "2026-04-07T10:15:00Z",
            "registration_sequence": 14,
        },
    ),
    ("ledger.payout_failed", 1): EventExample(
        meaning="Finance reported a payout line as failed; its amount returns to payable for the next batch.",
        data={
            "partner_id": PARTNER,
            "batch_id": "5f0c3c1e-8d0b-5a55-9a51-8f3f0c1d2e4b",
            "line_id": "0d4b8a52-3c1e-5f6a-8b9c-1d2e3f4a5b6c",
            "entry_id": "je-000000001302",
            "amount": {"amount": "9000.00", "currency": "EUR"},
            "reason": "bank account closed (IBAN rejected by the receiving bank)",
            "failed_at": "2026-04-07T10:15:00Z",
            "registration_sequence": 14,
        },
    ),
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


def example_for(event_type: str, version: int) -> EventExample:
    try:
        return EXAMPLES[(event_type, version)]
    except KeyError:
        raise MissingExampleError(
            f"no example for {event_type} v{version}: add an EventExample to EXAMPLES in {__name__}"
        ) from None


def meaning_of(event_type: str, version: int) -> str:
    """The catalogue's one-line meaning: the example's, else the model's docstring, else a to-do."""
    if (event_type, version) in EXAMPLES:
        return EXAMPLES[(event_type, version)].meaning
    doc = (registry.models()[(event_type, version)].__doc__ or "").strip()
    return doc.splitlines()[0] if doc else f"(no example yet: add one to {__name__}.EXAMPLES)"


def missing_examples() -> list[tuple[str, int]]:
    """Registered (type, version) pairs that have no example, sorted."""
    return [key for key in registry.models() if key not in EXAMPLES]


def problems() -> list[str]:
    """Why some registered events lack a usable example (empty when all is well)."""
    found = []
    for event_type, version in registry.models():
        try:
            example_payload(event_type, version)
        except MissingExampleError as exc:
            found.append(str(exc))
        except ValidationError as exc:
            found.append(f"the example of {event_type} v{version} is invalid: {exc}".replace("\n", " "))
    return found


def usable(event_type: str, version: int) -> bool:
    """True when the event has an example that its model accepts."""
    try:
        example_payload(event_type, version)
    except (MissingExampleError, ValidationError):
        return False
    return True


def example_payload(event_type: str, version: int) -> EventPayload:
    """The example validated by its own version's model (no upcasting)."""
    model = registry.models()[(event_type, version)]
    return model.model_validate(example_for(event_type, version).data)


def example_envelope(event_type: str, version: int) -> CloudEvent:
    """The example wrapped as its producer would send it, with stable ids and time."""
    return registry.encode(
        example_payload(event_type, version),
        source=source_for(event_type),
        time=EXAMPLE_TIME,
        sequence=EXAMPLE_SEQUENCE,
        event_id=example_event_id(event_type, version),
        correlation_id=str(uuid.uuid5(_NAMESPACE, "correlation")),
        causation_id=str(uuid.uuid5(_NAMESPACE, f"command:{event_type}:v{version}")),
    )
