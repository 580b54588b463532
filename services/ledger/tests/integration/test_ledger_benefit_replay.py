"""A monetary commitment benefit in the consumed log: posted once on the stored journal, replayed to the
same journal (digests agree, verify finds nothing); a revocation posts nothing and a second event for
the same grant is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from incentive_contracts.events import governance
from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import Incoming, project
from ledger.domain.commitment_benefits import benefit_entry_id
from ledger_log_support import consume, replay_matches_live
from ledger_support import enrolled, usd, won

RECORDED = datetime(2026, 4, 1, tzinfo=UTC)
MINIMUM = {"engagement_points": "30", "rituals_held": "2", "pipeline:USD": "100000"}


def granted() -> governance.GovernanceBenefitGranted:
    return governance.GovernanceBenefitGranted(
        partner_id="acme",
        benefit="free_training",
        kind="monetary",
        amount=usd("1500.00"),
        effective_on=date(2026, 3, 15),
        rule_id="strategic-partner",
        rules_version=1,
        window_from=date(2025, 12, 16),
        window_to=date(2026, 3, 15),
        inputs={"engagement_points": "36", "rituals_held": "2", "pipeline:USD": "150000.00"},
        minimum=MINIMUM,
    )


def revoked() -> governance.GovernanceBenefitRevoked:
    return governance.GovernanceBenefitRevoked(
        partner_id="acme",
        benefit="free_training",
        effective_on=date(2026, 3, 30),
        rule_id="strategic-partner",
        rules_version=1,
        window_from=date(2025, 12, 31),
        window_to=date(2026, 3, 30),
        inputs={"engagement_points": "20", "rituals_held": "1", "pipeline:USD": "150000.00"},
        minimum=MINIMUM,
        unmet=["engagement_points", "rituals_held"],
    )


async def test_a_replay_with_a_commitment_benefit_matches_the_live_ledger(
    ledger_settings, uow_factory, database_factory
):
    payloads = [enrolled("acme", program_id="default"), won("d1", "1000.00", date(2026, 2, 1)), granted(), revoked()]
    await consume(uow_factory, payloads, RECORDED, first_offset=1)
    await replay_matches_live(ledger_settings, database_factory.empty(prefix="replay_benefit"), 4)
    async with uow_factory() as uow:
        rows = (
            await uow.conn.exec_driver_sql(
                "SELECT entry_id, stream, kind FROM journal_entries WHERE kind = 'commitment_benefit'"
            )
        ).all()
        payable = (
            await uow.conn.exec_driver_sql(
                "SELECT balance FROM balances WHERE account = 'partner:acme:rebates_payable' AND currency = 'USD'"
            )
        ).scalar_one()
        again = Incoming("0c7a1b52-8d0e-4a7e-9f53-2b1d6f0f4e11", granted(), RECORDED)
        [refused] = await project(SqlLedgerStore(uow), [again])
        await uow.commit()
    assert [tuple(r) for r in rows] == [(benefit_entry_id(granted()), "governance", "commitment_benefit")]
    assert -payable == Decimal("1550.00")  # 5 % of 1 000, and the 1 500.00 benefit (the revocation takes nothing)
    assert refused.reason.startswith("AlreadyCompensated")
