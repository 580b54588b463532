"""Examples of the governance.* events (merged into :mod:`incentive_contracts.examples`): partner
``northwind`` agrees its 2026 plan, earns certified status, disputes a statement line and is audited."""

from __future__ import annotations

from typing import Any

from .story import PARTNER, EventExample

PLAN = "plan-northwind-2026"
DISPUTE = "dsp-2026-0007"

_CONTENT: dict[str, Any] = {
    "target_segments": ["mid-market manufacturing, DACH"],
    "value_propositions": ["plant analytics in 90 days"],
    "co_branded_materials": ["Northwind x Vendor solution brief"],
    "activities": [
        {
            "activity_id": "qbr-q1",
            "kind": "qbr",
            "title": "Q1 business review",
            "partner_owner": "Katrin Meyer",
            "vendor_owner": "Sam Lee",
            "due_on": "2026-03-31",
        }
    ],
    "criteria": [
        {"criterion_id": "pipe", "metric": "pipeline:EUR", "target": "500000", "description": "registered pipeline"}
    ],
}
_EXPLANATION: dict[str, Any] = {
    "rule_id": "certified-commitment",
    "rules_version": 1,
    "window_from": "2026-01-01",
    "window_to": "2026-03-31",
    "inputs": {"engagement_points": "35", "certifications": "2"},
    "minimum": {"engagement_points": "30", "certifications": "1"},
}

GOVERNANCE_EXAMPLES: dict[tuple[str, int], tuple[str, dict[str, Any]]] = {
    ("governance.plan_drafted", 1): (
        "A joint partner plan for a year was drafted with its segments, calendar and success criteria.",
        {
            "partner_id": PARTNER,
            "plan_id": PLAN,
            "year": 2026,
            "plan_version": 1,
            "content": _CONTENT,
            "drafted_on": "2026-01-15",
            "drafted_by": "sam.lee",
        },
    ),
    ("governance.plan_revised", 1): (
        "A joint plan's content changed; after signing the change is a new version to sign again.",
        {
            "partner_id": PARTNER,
            "plan_id": PLAN,
            "plan_version": 2,
            "content": _CONTENT,
            "revised_on": "2026-04-02",
            "revised_by": "sam.lee",
        },
    ),
    ("governance.plan_signed", 1): (
        "One side signed a version of the joint plan; fully signed once both sides have.",
        {
            "partner_id": PARTNER,
            "plan_id": PLAN,
            "plan_version": 1,
            "side": "partner",
            "signed_by": "partner:northwind:k.meyer",
            "signed_on": "2026-01-20",
            "fully_signed": True,
        },
    ),
    ("governance.plan_activity_completed", 1): (
        "A joint activity of the plan was held, on time or late.",
        {
            "partner_id": PARTNER,
            "plan_id": PLAN,
            "activity_id": "qbr-q1",
            "kind": "qbr",
            "due_on": "2026-03-31",
            "completed_on": "2026-03-27",
            "on_time": True,
            "source": "engagement.recorded:eng-2026-0311",
        },
    ),
    ("governance.benefit_granted", 1): (
        "The partner's activity reached a commitment rule's minimum; the benefit holds from the date given.",
        {
            "partner_id": PARTNER,
            "benefit": "certified_status",
            "kind": "non_monetary",
            "amount": None,
            "effective_on": "2026-03-31",
            **_EXPLANATION,
        },
    ),
    ("governance.benefit_revoked", 1): (
        "The partner's activity fell below a commitment rule's minimum; the benefit ends on the date given.",
        {
            "partner_id": PARTNER,
            "benefit": "certified_status",
            "effective_on": "2026-07-01",
            **{**_EXPLANATION, "inputs": {"engagement_points": "10", "certifications": "1"}},
            "window_from": "2026-04-02",
            "window_to": "2026-07-01",
            "unmet": ["engagement_points"],
        },
    ),
    ("governance.dispute_opened", 1): (
        "A partner contested a statement line, a missing reward, a conflict decision or an MDF claim.",
        {
            "partner_id": PARTNER,
            "dispute_id": DISPUTE,
            "subject_kind": "statement_line",
            "subject_ref": "entry-0c4f2a",
            "description": "The Q1 rebate on the Globex deal used 3% instead of 5%.",
            "evidence": [{"reference": "s3://northwind/po-globex.pdf", "content_hash": None}],
            "claimed_amount": {"amount": "2400.00", "currency": "EUR"},
            "opened_on": "2026-04-03",
            "opened_by": "partner:northwind:o.hansen",
        },
    ),
    ("governance.dispute_review_started", 1): (
        "A channel manager started reviewing a dispute.",
        {"partner_id": PARTNER, "dispute_id": DISPUTE, "reviewer": "sam.lee", "started_on": "2026-04-06"},
    ),
    ("governance.dispute_escalated", 1): (
        "A dispute went one level up, on the partner's request or unanswered for too long.",
        {
            "partner_id": PARTNER,
            "dispute_id": DISPUTE,
            "level": 1,
            "reason": "overdue",
            "escalated_on": "2026-04-16",
            "escalated_by": "system",
        },
    ),
    ("governance.dispute_resolved", 1): (
        "A dispute was decided: in the partner's favour with the compensation the ledger posts, or rejected.",
        {
            "partner_id": PARTNER,
            "dispute_id": DISPUTE,
            "subject_kind": "statement_line",
            "subject_ref": "entry-0c4f2a",
            "outcome": "partner_favour",
            "compensation": {"amount": "2400.00", "currency": "EUR"},
            "reason": "The deal qualified for the 5% accelerator.",
            "resolved_on": "2026-04-20",
            "resolved_by": "finance.lead",
            "days_to_resolution": 17,
        },
    ),
    ("governance.audit_item_sampled", 1): (
        "A won deal or MDF claim was drawn into the period's seeded spot-audit sample.",
        {
            "partner_id": PARTNER,
            "audit_period": "2026-Q1",
            "item_kind": "deal",
            "item_id": "deal-2026-0193",
            "seed": "growth-2026",
            "rate": "0.05",
            "sampled_on": "2026-04-02",
        },
    ),
    ("governance.audit_item_confirmed", 1): (
        "A sampled item passed its spot audit.",
        {
            "partner_id": PARTNER,
            "audit_period": "2026-Q1",
            "item_kind": "deal",
            "item_id": "deal-2026-0193",
            "confirmed_by": "auditor.kim",
            "confirmed_on": "2026-04-09",
            "note": "PO and invoice match",
        },
    ),
    ("governance.audit_item_failed", 1): (
        "A sampled item failed its spot audit; its flag is to be confirmed so the ledger reverses or holds.",
        {
            "partner_id": PARTNER,
            "audit_period": "2026-Q1",
            "item_kind": "mdf_claim",
            "item_id": "claim-2026-0088",
            "failed_by": "auditor.kim",
            "failed_on": "2026-04-09",
            "reason": "Attendee list does not match the invoice.",
            "flag_confirmation_requested": True,
        },
    ),
    ("governance.proposal_submitted", 1): (
        "A partner proposed an improvement to the program.",
        {
            "partner_id": PARTNER,
            "proposal_id": "prop-0012",
            "program_id": "growth-2026",
            "title": "Count partner-led webinars as enablement",
            "text": "Our webinars train customers' admins; they should earn engagement points.",
            "submitted_on": "2026-04-10",
            "submitted_by": "partner:northwind:k.meyer",
        },
    ),
    ("governance.proposal_answered", 1): (
        "A channel manager answered a partner's proposal.",
        {
            "partner_id": PARTNER,
            "proposal_id": "prop-0012",
            "program_id": "growth-2026",
            "status": "under_consideration",
            "answer": "We will review it for the 2027 program.",
            "answered_on": "2026-04-14",
            "answered_by": "sam.lee",
        },
    ),
}

EXAMPLES: dict[tuple[str, int], EventExample] = {
    key: EventExample(meaning, data) for key, (meaning, data) in GOVERNANCE_EXAMPLES.items()
}
