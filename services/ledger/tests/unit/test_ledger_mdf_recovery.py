"""mdf.disbursement_recovered: a payout recovered after a failed claim audit moves mdf_disbursed back
to mdf_available, in the fund's period (given events, when the recovery, then the entry)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from incentive_contracts.events import mdf
from ledger_support import allocated, amounts, balance, enrolled, entries, program, run, usd

D = Decimal


def approved() -> mdf.MdfRequestApproved:
    return mdf.MdfRequestApproved(
        partner_id="acme",
        request_id="r1",
        period="2026-Q1",
        requested_amount=usd("400.00"),
        approved_amount=usd("400.00"),
        approved_on=date(2026, 2, 2),
        approved_by="m",
        claim_deadline=date(2026, 4, 30),
    )


def disbursed() -> mdf.MdfDisbursed:
    return mdf.MdfDisbursed(
        partner_id="acme",
        disbursement_id="r1:plan",
        request_id="r1",
        period="2026-Q1",
        milestone="plan",
        trigger="plan_approved",
        amount=usd("400.00"),
        disbursed_on=date(2026, 2, 2),
    )


def recovered() -> mdf.MdfDisbursementRecovered:
    return mdf.MdfDisbursementRecovered(
        partner_id="acme",
        recovery_id="audit:c1",
        request_id="r1",
        claim_id="c1",
        period="2026-Q1",
        amount=usd("400.00"),
        reason="spot audit 2026-Q1 failed by auditor: no proof of the event",
        recovered_on=date(2026, 3, 20),
    )


async def test_a_recovered_payout_returns_from_disbursed_to_available():
    given = [enrolled(), allocated("1000.00", date(2026, 2, 1)), approved(), disbursed()]
    r = await run([*given, recovered()], program())
    (entry,) = entries(r, "mdf_recovery")
    assert amounts(entry) == {"partner:acme:mdf_disbursed": D("400.00"), "partner:acme:mdf_available": D("-400.00")}
    assert entry.explanation["period"] == "2026-Q1"
    assert "claim c1 recovered" in entry.explanation["summary"]
    assert (balance(r, "mdf_disbursed"), balance(r, "mdf_available")) == (D("0.00"), D("1000.00"))
