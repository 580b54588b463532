"""The registration service's events: partners, deals and engagements."""

from __future__ import annotations

from .story import DEAL, PARTNER, PROGRAM, EventExample

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
}
