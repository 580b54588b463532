"""Payouts in the pure ledger: which partners a cut pays, the entries of each step, and how holds and
clawbacks behave once money is in payment or paid (the program pays 5 % to the registered tier)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from incentive_contracts.events.ledger import LedgerPayoutBatched, LedgerPayoutFailed, LedgerPayoutSettled
from incentive_contracts.money import Money
from ledger.adapters.memory import MemoryLedger, MemoryLedgerStore
from ledger.application.payout_schedule import PayoutSchedule
from ledger.application.projector import post_payouts, project
from ledger.domain.payouts import (
    PayoutAction,
    PayoutKind,
    action_from_event,
    batch_id,
    coverage_hash,
    line_amount,
    payout_entry,
)
from ledger_support import cleared, enrolled, flagged, incoming, program, reversed_, won

D = Decimal
CUTOFF = datetime(2026, 2, 28, tzinfo=UTC)


def test_a_line_pays_what_is_due_only_above_the_minimum_and_never_more_than_is_payable_now():
    assert line_amount(D("50.00"), D("50.00"), D("10.00")) == D("50.00")
    assert line_amount(D("50.00"), D("80.00"), D("10.00")) == D("50.00")  # later entries wait
    assert line_amount(D("5.00"), D("5.00"), D("10.00")) is None  # below the minimum
    assert line_amount(D("50.00"), D("30.00"), D("0")) is None  # a hold dated after the cutoff
    assert line_amount(D("-20.00"), D("-20.00"), D("0")) is None  # the partner owes


def test_batch_identity_and_coverage_hash_do_not_depend_on_order():
    assert batch_id("USD", CUTOFF) == batch_id("USD", CUTOFF.astimezone(UTC))
    assert batch_id("USD", CUTOFF) != batch_id("EUR", CUTOFF)
    assert coverage_hash(["b", "a"]) == coverage_hash(["a", "b"]) != coverage_hash(["a"])


def _action(kind: PayoutKind, amount: str = "50.00", sequence: int = 1, detail: str = "ref") -> PayoutAction:
    return PayoutAction(
        kind, "acme", "b1", "l1", "USD", D(amount), CUTOFF, sequence, f"ev-{kind.value}", detail, 1, "h"
    )


def test_each_step_moves_the_amount_between_the_partners_reward_accounts():
    moves = {
        kind: {p.account.rsplit(":", 1)[1]: p.amount for p in payout_entry(_action(kind)).postings}
        for kind in PayoutKind
    }
    assert moves[PayoutKind.CUT] == {"rebates_payable": D("50.00"), "rebates_in_payment": D("-50.00")}
    assert moves[PayoutKind.SETTLED] == {"rebates_in_payment": D("50.00"), "rebates_paid": D("-50.00")}
    assert moves[PayoutKind.FAILED] == {"rebates_in_payment": D("50.00"), "rebates_payable": D("-50.00")}
    entry = payout_entry(_action(PayoutKind.CUT))
    assert (entry.stream, entry.rule_id, entry.caused_by) == ("payout", "ledger/payouts", "ev-payout")


def test_an_announced_action_is_the_action_a_replay_applies():
    money = Money(amount=D("50.00"), currency="USD")
    common = {"partner_id": "acme", "batch_id": "b1", "line_id": "l1", "entry_id": "e", "amount": money,
              "registration_sequence": 1}  # fmt: skip
    cut = LedgerPayoutBatched(**common, cutoff=CUTOFF, payee_reference="ref", entries_covered=1, coverage_hash="h")
    assert action_from_event(cut, "ev-payout") == _action(PayoutKind.CUT)
    paid = LedgerPayoutSettled(**common, payment_reference="P-1", paid_at=CUTOFF)
    assert action_from_event(paid, "x").detail == "P-1"
    failed = LedgerPayoutFailed(**common, reason="closed", failed_at=CUTOFF)
    assert (action_from_event(failed, "x").kind, action_from_event(failed, "x").detail) == (PayoutKind.FAILED, "closed")


async def _ledger(batches, *, payouts=()):  # type: ignore[no-untyped-def]
    """Project the batches (event ids by position) with the payout actions applied where they were recorded."""
    ledger = MemoryLedger(programs=[program()])
    schedule = PayoutSchedule(payouts)
    position = 0
    for batch in batches:
        store = MemoryLedgerStore(ledger)
        events = [incoming(e, event_id=f"ev-{position + i}") for i, e in enumerate(batch)]
        position += len(batch)
        assert await project(store, events, schedule) == []
        store.commit()
    store = MemoryLedgerStore(ledger)
    await post_payouts(store, schedule.remaining())
    store.commit()
    return ledger


def _owed(ledger: MemoryLedger, purpose: str) -> Decimal:
    return -ledger.balances.get(("acme", f"partner:acme:{purpose}", "USD"), D(0))


async def test_after_a_payout_a_hold_takes_only_what_is_payable_and_a_clawback_leaves_the_partner_owing():
    ledger = await _ledger(
        [
            [enrolled(), won("d1", "1000.00", date(2026, 2, 1))],  # 50.00: registration entry 1
            [won("d2", "600.00", date(2026, 3, 2)), flagged("d1", date(2026, 3, 3))],  # 30.00 payable, 30.00 held
            [reversed_("d1", "1000.00", date(2026, 3, 20), full=True)],  # 30.00 from held, 20.00 owed
            [won("d3", "800.00", date(2026, 4, 1))],  # 40.00 nets against what is owed
        ],
        payouts=[_action(PayoutKind.CUT, "50.00", sequence=2)],  # recorded after d2's rebate, before the flag
    )
    hold = next(c.entry for c in ledger.journal if c.entry.kind == "hold")
    assert hold.explanation["amount"] == "30.00"
    assert (_owed(ledger, "rebates_payable"), _owed(ledger, "rebates_held")) == (D("20.00"), D("0.00"))
    assert _owed(ledger, "rebates_in_payment") == D("50.00")


async def test_a_release_returns_what_the_hold_took():
    ledger = await _ledger(
        [
            [enrolled(), won("d1", "1000.00", date(2026, 2, 1))],
            [won("d2", "200.00", date(2026, 3, 2)), flagged("d1", date(2026, 3, 3))],  # holds 10.00 of d1's 50.00
            [cleared("d1", date(2026, 3, 9))],
        ],
        payouts=[_action(PayoutKind.CUT, "50.00", sequence=1)],
    )
    release = next(c.entry for c in ledger.journal if c.entry.kind == "release")
    assert release.explanation["amount"] == "10.00"
    assert (_owed(ledger, "rebates_payable"), _owed(ledger, "rebates_held")) == (D("10.00"), D("0.00"))


async def test_batch_boundaries_do_not_move_where_a_payout_applies():
    events = [enrolled(), won("d1", "1000.00", date(2026, 2, 1)), won("d2", "600.00", date(2026, 3, 2)),
              flagged("d1", date(2026, 3, 3))]  # fmt: skip
    payouts = [_action(PayoutKind.CUT, "50.00", sequence=1)]  # cut right after d1's rebate
    split = await _ledger([events[:2], events[2:3], events[3:]], payouts=payouts)
    together = await _ledger([events], payouts=payouts)
    assert [c.entry_hash for c in together.journal] != []
    assert sorted(c.entry_hash for c in split.journal) == sorted(c.entry_hash for c in together.journal)
    assert split.balances == together.balances
