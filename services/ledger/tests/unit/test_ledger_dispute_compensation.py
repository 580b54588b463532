"""governance.dispute_resolved: a dispute won by the partner posts one compensating entry; a rejection
and every other governance event change nothing (given events, when the resolution, then entries)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from incentive_contracts.events import governance
from incentive_contracts.money import Money
from ledger.domain.dispute_compensation import compensation_entry_id
from ledger_support import amounts, balance, enrolled, entries, incoming, program, replay, run, usd, won

D = Decimal


def resolved(
    outcome: str = "partner_favour",
    compensation: Money | None = None,
    dispute_id: str = "dsp-1",
    pid: str = "acme",
) -> governance.GovernanceDisputeResolved:
    return governance.GovernanceDisputeResolved(
        partner_id=pid,
        dispute_id=dispute_id,
        subject_kind="missing_reward",
        subject_ref="deal d1",
        outcome=outcome,  # type: ignore[arg-type]  # the Literal, from a test parameter
        compensation=compensation,
        reason="the registration bonus was missed",
        resolved_on=date(2026, 3, 10),
        resolved_by="manager-1",
        days_to_resolution=4,
    )


async def test_a_dispute_won_by_the_partner_credits_its_payable_from_the_program_expense():
    # given an enrolled partner paid 5 % of a 10 000.00 USD win (500.00 payable)
    given = [enrolled(), won("d1", "10000.00", date(2026, 3, 1))]
    # when governance resolves its dispute in its favour with 250.00 USD
    r = await run([*given, resolved(compensation=usd("250.00"))], program())
    # then one entry moves 250.00 from the program's dispute compensation expense to rebates payable
    (entry,) = entries(r, "dispute_compensation")
    assert entry.entry_id == compensation_entry_id("dsp-1")
    assert (entry.stream, entry.deal_id, entry.effective_at.date()) == ("governance", None, date(2026, 3, 10))
    assert amounts(entry) == {
        "program:growth:dispute_compensation_expense": D("250.00"),
        "partner:acme:rebates_payable": D("-250.00"),
    }
    assert balance(r, "rebates_payable") == D("750.00")
    explanation = entry.explanation
    assert (explanation["dispute_id"], explanation["subject_kind"], explanation["subject_ref"]) == (
        "dsp-1",
        "missing_reward",
        "deal d1",
    )
    assert explanation["reason"] == "the registration bonus was missed"
    assert (explanation["amount"], explanation["currency"]) == ("250.00", "USD")


async def test_the_compensation_is_in_the_currency_governance_decided():
    r = await run([enrolled(), resolved(compensation=usd("90.00", "EUR"))], program())
    (entry,) = entries(r, "dispute_compensation")
    assert {p.currency for p in entry.postings} == {"EUR"}
    assert balance(r, "rebates_payable", "EUR") == D("90.00")


async def test_a_redelivered_resolution_posts_nothing_more():
    event = incoming(resolved(compensation=usd("250.00")), event_id="gov-ev-1")
    r = await replay([incoming(enrolled()), event, event], program())
    await r.feed([event])
    assert len(entries(r, "dispute_compensation")) == 1
    assert balance(r, "rebates_payable") == D("250.00")


async def test_a_replay_posts_the_same_entry():
    events = [incoming(enrolled()), incoming(resolved(compensation=usd("250.00")), event_id="gov-ev-2")]
    first, second = await replay(events, program()), await replay(events, program())
    assert [c.entry_hash for c in first.ledger.journal] == [c.entry_hash for c in second.ledger.journal]


async def test_a_rejection_and_other_governance_events_change_nothing():
    # given an enrolled partner; when a rejection, a resolution without compensation and a failed audit arrive
    others = [
        resolved(outcome="rejected"),
        resolved(compensation=None, dispute_id="dsp-2"),
        resolved(compensation=usd("0.00"), dispute_id="dsp-3"),
        governance.GovernanceAuditItemFailed(
            partner_id="acme",
            audit_period="2026-Q1",
            item_kind="deal",
            item_id="d1",
            failed_by="auditor",
            failed_on=date(2026, 3, 12),
            reason="no proof of the customer",
        ),
    ]
    r = await run([enrolled(), *others], program())
    # then nothing is posted and nothing rejected
    assert entries(r) == []
    assert r.rejected == []


async def test_a_compensation_for_a_partner_not_enrolled_yet_waits_for_its_enrolment():
    r = await run([resolved(compensation=usd("250.00"), pid="newco")], program())
    assert [x.waiting_for for x in r.rejected] == ["partner:newco"]
    assert entries(r) == []


async def test_a_governance_event_without_money_for_an_unknown_partner_is_not_parked():
    r = await run([resolved(outcome="rejected", pid="newco")], program())
    assert r.rejected == []
    assert entries(r) == []


async def test_a_second_resolution_of_a_compensated_dispute_is_refused_not_posted():
    # given a dispute compensated once; when another event resolves the same dispute (a new event id)
    first = incoming(resolved(compensation=usd("250.00")), event_id="gov-ev-3")
    again = incoming(resolved(compensation=usd("300.00")), event_id="gov-ev-4")
    r = await replay([incoming(enrolled()), first], program())
    await r.feed([again])
    # then it is rejected (dead-lettered) and nothing more is posted; in one batch too
    assert [x.event_id for x in r.rejected] == ["gov-ev-4"]
    assert "AlreadyCompensated" in r.rejected[0].reason
    assert balance(r, "rebates_payable") == D("250.00")
    both = await replay([incoming(enrolled()), first, again], program())
    assert [x.event_id for x in both.rejected] == ["gov-ev-4"]
    assert len(entries(both, "dispute_compensation")) == 1
