"""A dispute compensation in the consumed log replays to the same journal: the digests agree and
verify finds nothing; the consumed governance events that post nothing are replayed as no-ops."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from incentive_contracts.events import governance
from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import Incoming, project
from ledger.domain.dispute_compensation import compensation_entry_id
from ledger_log_support import consume, replay_matches_live
from ledger_support import enrolled, usd, won

RECORDED = datetime(2026, 4, 1, tzinfo=UTC)


def resolved(outcome: str, dispute_id: str) -> governance.GovernanceDisputeResolved:
    return governance.GovernanceDisputeResolved(
        partner_id="acme",
        dispute_id=dispute_id,
        subject_kind="statement_line",
        subject_ref="entry-1",
        outcome=outcome,  # type: ignore[arg-type]
        compensation=usd("250.00") if outcome == "partner_favour" else None,
        reason="rate was wrong",
        resolved_on=date(2026, 3, 10),
        resolved_by="manager",
        days_to_resolution=3,
    )


async def test_a_replay_with_a_dispute_compensation_matches_the_live_ledger(
    ledger_settings, uow_factory, database_factory
):
    payloads = [
        enrolled("acme", program_id="default"),
        won("d1", "1000.00", date(2026, 2, 1)),
        resolved("partner_favour", "dsp-1"),
        resolved("rejected", "dsp-2"),
        won("d2", "600.00", date(2026, 3, 12)),
    ]
    await consume(uow_factory, payloads, RECORDED, first_offset=1)
    await replay_matches_live(ledger_settings, database_factory.empty(prefix="replay_dispute"), 5)
    async with uow_factory() as uow:
        rows = (
            await uow.conn.exec_driver_sql(
                "SELECT entry_id, stream, kind FROM journal_entries WHERE kind = 'dispute_compensation'"
            )
        ).all()
        payable = (
            await uow.conn.exec_driver_sql(
                "SELECT balance FROM balances WHERE account = 'partner:acme:rebates_payable' AND currency = 'USD'"
            )
        ).scalar_one()
    assert [tuple(r) for r in rows] == [(compensation_entry_id("dsp-1"), "governance", "dispute_compensation")]
    assert -payable == Decimal("330.00")  # 5 % of 1 000 and of 600 (80.00), and 250.00 compensation


async def test_the_stored_journal_refuses_a_second_compensation_of_a_dispute(uow_factory):
    await consume(uow_factory, [enrolled("acme", program_id="default"), resolved("partner_favour", "dsp-9")], RECORDED)
    async with uow_factory() as uow:
        again = Incoming("b6f1d7a4-5a55-4f0e-9d1e-6f4c1f0e9a01", resolved("partner_favour", "dsp-9"), RECORDED)
        [refused] = await project(SqlLedgerStore(uow), [again])
        await uow.commit()
    assert refused.event_id == again.event_id
    assert refused.reason.startswith("AlreadyCompensated")
