"""The projection's contract: rejections change nothing, unknown types are no-ops, results are reproducible."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from incentive_contracts.events import deal
from ledger.adapters.memory import MemoryReplay
from ledger.domain.chain import GENESIS, canonical
from ledger_support import balance, enrolled, entries, incoming, program, reversed_, run, won

D = Decimal


async def test_events_of_unknown_partners_and_programs_are_rejected_with_the_reason():
    r = await run(
        [
            won("d1", "100.00", date(2026, 2, 1), pid="ghost"),
            enrolled("nope", program_id="nowhere"),
            won("d2", "100.00", date(2026, 2, 1), pid="nope"),
        ],
        program(),
    )
    reasons = [x.reason for x in r.rejected]
    assert reasons[0].startswith("UnknownPartner: partner ghost is not enrolled")
    assert reasons[1].startswith("NoProgramInForce: no published version of program nowhere is in force on 2026-02-01")
    # An unknown partner's event is early, not invalid: the consumer parks it until the enrolment.
    assert [x.waiting_for for x in r.rejected] == ["partner:ghost", None]
    assert entries(r) == []


async def test_a_reversal_in_another_currency_is_rejected_and_changes_nothing():
    r = await run(
        [
            enrolled(),
            won("d1", "100.00", date(2026, 2, 1)),
            reversed_("d1", "100.00", date(2026, 2, 2), currency="EUR"),
        ],
        program(),
    )
    assert [x.reason.split(":")[0] for x in r.rejected] == ["InvalidEvent"]
    assert entries(r, "clawback") == []
    assert balance(r, "rebates_payable") == D("5.00")


async def test_event_types_without_a_rule_are_no_ops():
    stage = deal.DealStageChanged(
        partner_id="acme",
        deal_id="d1",
        from_stage="approved",
        to_stage="qualified",
        changed_at=datetime(2026, 2, 1, tzinfo=UTC),
        forecast_close=date(2026, 3, 1),
        source="api",
    )
    lost = deal.DealLost(partner_id="acme", deal_id="d2", lost_on=date(2026, 2, 1))
    r = await run([enrolled(), stage, lost, reversed_("never-won", "1.00", date(2026, 2, 1))], program())
    assert entries(r) == []
    assert r.rejected == []


async def test_the_hash_chain_links_each_stream_of_a_partner():
    r = await run([enrolled(), won("d1", "100.00", date(2026, 2, 1)), won("d2", "200.00", date(2026, 2, 2))], program())
    chain = [c for c in r.ledger.journal if c.entry.stream == "registration"]
    assert chain[0].prev_hash == GENESIS
    assert [c.sequence for c in chain] == [1, 2]
    assert chain[1].prev_hash == chain[0].entry_hash
    assert b'"prev_hash":"' + GENESIS.encode() in canonical(chain[0].entry, 1, GENESIS)


async def test_replays_and_batch_boundaries_give_the_same_journal():
    events = [
        incoming(e)
        for e in [
            enrolled(),
            won("d1", "1234.50", date(2026, 2, 1)),
            reversed_("d1", "234.50", date(2026, 2, 20)),
            won("d2", "99.99", date(2026, 3, 1)),
        ]
    ]
    whole = MemoryReplay([program()])
    await whole.feed(events)
    one_by_one = MemoryReplay([program()])
    for e in events:
        await one_by_one.feed([e])
    digest = [(c.entry.entry_id, c.sequence, c.entry_hash) for c in whole.ledger.journal]
    assert digest == [(c.entry.entry_id, c.sequence, c.entry_hash) for c in one_by_one.ledger.journal]
    assert whole.ledger.balances == one_by_one.ledger.balances
    assert whole.ledger.partners == one_by_one.ledger.partners
