"""The ledger's events: entries posted, MDF accruals, payouts, and the program catalogue."""

from __future__ import annotations

from .story import DEAL, PARTNER, PROGRAM, EventExample, example_event_id

EXAMPLES: dict[tuple[str, int], EventExample] = {
    ("partner.notice_acknowledged", 1): EventExample(
        meaning="A partner acknowledged the notice of an announced program version (who and when).",
        data={
            "partner_id": PARTNER,
            "program_id": PROGRAM,
            "program_version": 3,
            "effective_from": "2026-05-01",
            "acknowledged_by": "partner-admin@acme.example",
            "acknowledged_at": "2026-04-03T10:15:00Z",
        },
    ),
    ("program.version_published", 1): EventExample(
        meaning="The ledger published a program version (with the commitment benefits and spot-audit rate "
        "governance applies); registration enrols partners only into published programs.",
        data={
            "program_id": PROGRAM,
            "program_version": 3,
            "effective_from": "2026-05-01",
            "published_at": "2026-04-01T09:30:00Z",
            "label": "EMEA partner program",
            "correction": False,
            "commitment": {
                "window_days": 90,
                "engagement_points": {"quarterly_business_review": 10, "certification": 8},
                "rules": [
                    {
                        "rule_id": "strategic-partner",
                        "description": "Joint rituals held and real pipeline in the last 90 days.",
                        "minimum": {"engagement_points": "30", "rituals_held": "2", "pipeline:EUR": "100000"},
                        "benefits": [
                            {"benefit": "priority_support", "amount": None},
                            {"benefit": "free_training", "amount": {"amount": "1500.00", "currency": "EUR"}},
                        ],
                    }
                ],
            },
            "spot_audit_rate": "0.05",
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
    ("ledger.statement_ready", 1): EventExample(
        meaning="A partner's statement is ready: a payout batch was cut with a line for it in this currency.",
        data={
            "partner_id": PARTNER,
            "batch_id": "5f0c3c1e-8d0b-5a55-9a51-8f3f0c1d2e4b",
            "line_id": "0d4b8a52-3c1e-5f6a-8b9c-1d2e3f4a5b6c",
            "currency": "EUR",
            "amount": {"amount": "9000.00", "currency": "EUR"},
            "period_from": "2026-01-01",
            "period_to": "2026-03-31",
            "cutoff": "2026-03-31T23:59:59Z",
            "entries_covered": 3,
            "statement_path": f"/partners/{PARTNER}/statement?from=2026-01-01&to=2026-03-31&currency=EUR",
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
}
