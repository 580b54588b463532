"""governance.benefit_granted: a monetary commitment benefit posts one entry from the program's expense
to the partner's payable; non-monetary grants and revocations post nothing (no clawback of money
already granted). Given events, when the grant, then entries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from incentive_contracts.events import governance
from incentive_contracts.money import Money
from ledger.domain.commitment_benefits import benefit_entry_id
from ledger_support import amounts, balance, enrolled, entries, incoming, program, replay, run, usd

D = Decimal
INPUTS = {"engagement_points": "36", "rituals_held": "2", "pipeline:USD": "150000.00"}
MINIMUM = {"engagement_points": "30", "rituals_held": "2", "pipeline:USD": "100000"}


def granted(
    amount: Money | None = None,
    benefit: str = "free_training",
    effective_on: date = date(2026, 3, 15),
    pid: str = "acme",
) -> governance.GovernanceBenefitGranted:
    return governance.GovernanceBenefitGranted(
        partner_id=pid,
        benefit=benefit,
        kind="monetary" if amount is not None else "non_monetary",
        amount=amount,
        effective_on=effective_on,
        rule_id="strategic-partner",
        rules_version=1,
        window_from=date(2025, 12, 16),
        window_to=date(2026, 3, 15),
        inputs=INPUTS,
        minimum=MINIMUM,
    )


def revoked(benefit: str = "free_training") -> governance.GovernanceBenefitRevoked:
    return governance.GovernanceBenefitRevoked(
        partner_id="acme",
        benefit=benefit,
        effective_on=date(2026, 6, 20),
        rule_id="strategic-partner",
        rules_version=1,
        window_from=date(2026, 3, 23),
        window_to=date(2026, 6, 20),
        inputs={"engagement_points": "12", "rituals_held": "0", "pipeline:USD": "0"},
        minimum=MINIMUM,
        unmet=["engagement_points", "rituals_held", "pipeline:USD"],
    )


async def test_a_monetary_benefit_credits_the_partner_payable_from_the_program_expense():
    # given an enrolled partner; when governance grants it free training worth 1 500.00 USD
    grant = granted(usd("1500.00"))
    r = await run([enrolled(), grant], program())
    # then one entry moves 1 500.00 from the program's commitment benefit expense to rebates payable
    (entry,) = entries(r, "commitment_benefit")
    assert entry.entry_id == benefit_entry_id(grant)
    assert (entry.stream, entry.deal_id, entry.effective_at.date()) == ("governance", None, date(2026, 3, 15))
    assert amounts(entry) == {
        "program:growth:commitment_benefit_expense": D("1500.00"),
        "partner:acme:rebates_payable": D("-1500.00"),
    }
    assert balance(r, "rebates_payable") == D("1500.00")
    explanation = entry.explanation
    assert (explanation["benefit"], explanation["commitment_rule"], explanation["rules_version"]) == (
        "free_training",
        "strategic-partner",
        1,
    )
    assert explanation["inputs"] == INPUTS
    assert explanation["minimum"] == MINIMUM
    assert (explanation["amount"], explanation["currency"]) == ("1500.00", "USD")
    assert (explanation["window_from"], explanation["window_to"]) == ("2025-12-16", "2026-03-15")


async def test_a_non_monetary_benefit_and_a_revocation_post_nothing():
    # given a partner granted 1 500.00 USD; when a non-monetary grant and the revocation arrive
    r = await run([enrolled(), granted(usd("1500.00")), granted(benefit="priority_support"), revoked()], program())
    # then the money already granted stays: no clawback, nothing rejected
    assert len(entries(r)) == 1
    assert balance(r, "rebates_payable") == D("1500.00")
    assert r.rejected == []


async def test_a_redelivered_grant_and_a_replay_post_the_same_single_entry():
    event = incoming(granted(usd("1500.00")), event_id="gov-ben-1")
    r = await replay([incoming(enrolled()), event, event], program())
    await r.feed([event])
    assert len(entries(r, "commitment_benefit")) == 1
    again = await replay([incoming(enrolled()), event], program())
    assert [c.entry_hash for c in r.ledger.journal] == [c.entry_hash for c in again.ledger.journal]


async def test_the_same_grant_under_a_new_event_id_is_refused_but_a_grant_after_a_lapse_posts():
    first = incoming(granted(usd("1500.00")), event_id="gov-ben-2")
    same = incoming(granted(usd("1500.00")), event_id="gov-ben-3")
    later = incoming(granted(usd("1500.00"), effective_on=date(2026, 9, 1)), event_id="gov-ben-4")
    r = await replay([incoming(enrolled()), first, same, later], program())
    assert [x.event_id for x in r.rejected] == ["gov-ben-3"]
    assert "AlreadyCompensated" in r.rejected[0].reason
    assert len(entries(r, "commitment_benefit")) == 2
    assert balance(r, "rebates_payable") == D("3000.00")


async def test_a_monetary_grant_for_a_partner_not_enrolled_yet_waits_for_its_enrolment():
    r = await run([granted(usd("1500.00"), pid="newco")], program())
    assert [x.waiting_for for x in r.rejected] == ["partner:newco"]
    assert entries(r) == []
