"""mdf.disbursement_recovered: a payout recovered after a failed claim audit moves mdf_disbursed back
to mdf_available, in the fund's period (given events, when the recovery, then the entry)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from incentive_contracts.events import mdf
from ledger_support import allocated, amounts, balance, enrolled, entries, program, request_lifecycle, run, usd

D = Decimal


def recovered() -> mdf.MdfDisbursementRecovered:
    return mdf.MdfDisbursementRecovered(
        partner_id="acme",
        recovery_id="audit:c1",
        request_id="r1",
        claim_id="c1",
        period="2026-Q1",
        amount=usd("1500.00"),
        reason="spot audit 2026-Q1 failed by auditor: no proof of the event",
        recovered_on=date(2026, 3, 20),
    )


async def test_a_recovered_payout_returns_from_disbursed_to_available():
    # given 2 000.00 allocated, a request approved for 2 000.00, 1 500.00 paid out and the rest released
    given = [enrolled(), allocated("2000.00", date(2026, 1, 2)), *request_lifecycle()]
    r = await run([*given, recovered()], program())
    (entry,) = entries(r, "mdf_recovery")
    assert amounts(entry) == {"partner:acme:mdf_disbursed": D("1500.00"), "partner:acme:mdf_available": D("-1500.00")}
    assert entry.explanation["period"] == "2026-Q1"
    assert "claim c1 recovered" in entry.explanation["summary"]
    assert (balance(r, "mdf_disbursed"), balance(r, "mdf_available")) == (D("0.00"), D("2000.00"))
