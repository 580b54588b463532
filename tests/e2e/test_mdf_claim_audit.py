"""A failed spot audit of an MDF claim gives the money back on both books (issue 16), through the broker.

1 000.00 USD allocated; a 400.00 USD request approved, claimed and approved in full (400.00 paid out).
Governance samples the claim (from the mdf topic) and an auditor fails it: the mdf service, the single
writer of the fund, recovers the 400.00 (``mdf.disbursement_recovered``), the ledger posts it
``mdf_disbursed`` -> ``mdf_available``, and ``ledger reconcile`` finds the services agreeing.
"""

from __future__ import annotations

from datetime import date

from governance.config import GovernanceSettings
from governance.entrypoints.api import create_app as governance_app
from governance.entrypoints.consumer import ACTIVITY_FEED
from ledger.config import LedgerSettings
from mdf.config import MdfSettings
from registration.config import RegistrationSettings
from servicekit.testing.client import app_client, auth_header

from .reconcile_stack import ok, running_stack
from .stack import BusinessClock
from .test_governance_disputes_audits import in_audit_population
from .workers import consumer_task, eventually, relay_task

USD = "USD"


def usd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": USD}


async def test_a_failed_claim_audit_recovers_the_payout_and_the_books_still_agree(
    registration_settings: RegistrationSettings,
    ledger_settings: LedgerSettings,
    mdf_settings: MdfSettings,
    governance_settings: GovernanceSettings,
) -> None:
    staff = auth_header(governance_settings, "governance:write", "program:admin", subject="manager:kim")
    async with (
        running_stack(ledger_settings, mdf_settings, registration_settings) as s,
        app_client(governance_app(governance_settings, clock=BusinessClock(date(2027, 1, 5)))) as gov,
        relay_task(governance_settings, "governance"),
        consumer_task(governance_settings, ACTIVITY_FEED),
    ):
        await s.enroll("acme")
        await s.allocate("a1", "acme", "2026-Q4", "1000.00", USD)
        request = {"request_id": "r1", "partner_id": "acme", "period": "2026-Q4", "activity_type": "webinar",
                   "title": "Webinar", "planned_cost": usd("800.00"), "requested_amount": usd("400.00"),
                   "starts_on": "2026-11-09", "ends_on": "2026-11-13"}  # fmt: skip
        await s.mdf_write("/requests", request, s.partner("acme"))
        await s.mdf_write("/requests/r1/approve", {}, s.funds_manager)
        s.mdf_clock.set(date(2026, 11, 16))
        proof = [{"reference": "s3://proof/c1.pdf", "content_hash": "0f" * 32}]
        claim = {"claim_id": "c1", "claimed_amount": usd("400.00"), "actual_cost": usd("800.00"),
                 "invoice_ref": "INV-1", "proof": proof}  # fmt: skip
        await s.mdf_write("/requests/r1/claims", claim, s.partner("acme"))
        await s.mdf_write("/claims/c1/approve", {}, s.funds_manager)
        await s.settled([("acme", "2026-Q4", USD, "600.00")])
        await s.ledger_shows("acme", "mdf_disbursed", USD, "400.00")

        # governance draws the quarter's audit (the program's 5 % of one item: that one) and the auditor fails the claim
        await eventually(lambda: in_audit_population(governance_settings, "c1"), timeout=60)
        drawn = await gov.post(
            "/audits", json={"period": "2026-Q4", "seed": "e2e"}, headers={**staff, "Idempotency-Key": "a"}
        )
        assert drawn.status_code == 201, drawn.text
        assert [(i["item_kind"], i["item_id"]) for i in drawn.json()["items"]] == [("mdf_claim", "c1")]
        failed = await gov.post(
            "/audits/2026-Q4/items/mdf_claim/c1/fail",
            json={"note": "the invoice does not match the webinar"},
            headers={**staff, "Idempotency-Key": "f"},
        )
        assert failed.status_code == 200, failed.text

        # the mdf service recovers the 400.00 and the ledger posts it: both show 1 000.00 available
        await s.settled([("acme", "2026-Q4", USD, "1000.00")])
        await s.ledger_shows("acme", "mdf_disbursed", USD, "0.00")
        await s.ledger_shows("acme", "mdf_available", USD, "1000.00")
        reader = auth_header(s.settings, "ledger:read")
        recoveries = await ok(await s.led.get("/entries", params={"kind": "mdf_recovery"}, headers=reader))
        [entry] = recoveries["items"]
        assert "claim c1 recovered" in entry["explanation"]["summary"]
        assert entry["explanation"]["period"] == "2026-Q4"

        await s.quiet()
        report = await s.reconcile_now()
        assert report["differences"] == []
