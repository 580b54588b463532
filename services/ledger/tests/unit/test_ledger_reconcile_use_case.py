"""The reconcile use case: a second reading keeps only persisting differences; an unreadable source
gives a failed run, never a clean one."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

from ledger.application.service_reconciliation import Sources, SourceUnavailable, reconcile
from ledger.domain.service_positions import LedgerDeal, LedgerFundBalance, MdfFundPosition, PayoutSettlement
from ledger.domain.service_positions import RegisteredDeal as Won

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


class Readings:
    """The mdf side changes between readings (an event in flight, then applied)."""

    def __init__(self, *readings: list[MdfFundPosition]) -> None:
        self.readings = list(readings)

    async def fund_positions(self) -> list[MdfFundPosition]:
        return self.readings.pop(0)


class NoDeals:
    async def won_deals(self) -> list[Won]:
        return []


class Unreachable:
    async def won_deals(self) -> list[Won]:
        raise SourceUnavailable("registration GET /won-deals: ConnectError: refused")


class Book:
    async def fund_balances(self) -> list[LedgerFundBalance]:
        return [
            LedgerFundBalance("p1", "2026-Q4", "EUR", available=D("1000.00")),
            LedgerFundBalance("p2", "2026-Q4", "EUR", available=D("-400.00")),
        ]

    async def booked_deals(self) -> list[LedgerDeal]:
        return []

    async def payout_settlements(self) -> list[PayoutSettlement]:
        return []


def _fund(partner: str, available: str) -> MdfFundPosition:
    return MdfFundPosition(partner, "2026-Q4", "EUR", allocated=D(available), available=D(available))


async def test_confirming_keeps_only_the_differences_found_twice() -> None:
    in_flight = [_fund("p1", "1250.00"), _fund("p2", "600.00")]  # p1's allocation not yet at the ledger
    applied = [_fund("p1", "1000.00"), _fund("p2", "600.00")]  # ... now it is; p2's difference persists
    sources = Sources(Readings(in_flight, applied), NoDeals(), Book())

    run = await reconcile(sources, now=lambda: NOW, run_by="test", confirm_after=0.01)

    assert run.report is not None
    assert [(d.partner_id, d.theirs, d.ours) for d in run.report.differences] == [("p2", "600.00", "-400.00")]
    assert run.ok is False


async def test_one_reading_reports_what_it_saw() -> None:
    sources = Sources(Readings([_fund("p1", "1250.00"), _fund("p2", "-400.00")]), NoDeals(), Book())

    run = await reconcile(sources, now=lambda: NOW, run_by="test")

    assert run.report is not None
    assert [(d.partner_id, d.theirs, d.ours) for d in run.report.differences] == [("p1", "1250.00", "1000.00")]


async def test_an_unreadable_source_fails_the_run() -> None:
    sources = Sources(Readings([]), Unreachable(), Book())

    run = await reconcile(sources, now=lambda: NOW, run_by="test")

    assert (run.ok, run.report, run.error) == (False, None, "registration GET /won-deals: ConnectError: refused")
