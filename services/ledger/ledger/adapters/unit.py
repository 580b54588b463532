"""The ledger's unit for write use cases: its repositories over one servicekit unit of work."""

from __future__ import annotations

from servicekit.unit_of_work import UnitOfWork

from .notice_book import OutboxNoticeAnnouncements, SqlNoticeBook
from .payout_store import SqlPayoutStore
from .pilot_queries import SqlPilots
from .programs import OutboxProgramAnnouncements, SqlProgramVersions
from .reconciliation_queries import SqlForecasts
from .simulations import SqlSimulations
from .store import SqlLedgerStore


class SqlLedgerUnit:
    """Implements ``application.ports.LedgerUnit``; each repository is built on first use."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    @property
    def programs(self) -> SqlProgramVersions:
        return SqlProgramVersions(self.uow.conn)

    @property
    def announcements(self) -> OutboxProgramAnnouncements:
        return OutboxProgramAnnouncements(self.uow)

    @property
    def payouts(self) -> SqlPayoutStore:
        return SqlPayoutStore(self.uow)

    @property
    def pilots(self) -> SqlPilots:
        return SqlPilots(self.uow.conn)

    @property
    def forecasts(self) -> SqlForecasts:
        return SqlForecasts(self.uow.conn)

    @property
    def simulations(self) -> SqlSimulations:
        return SqlSimulations(self.uow.conn)

    @property
    def store(self) -> SqlLedgerStore:
        return SqlLedgerStore(self.uow)

    @property
    def notices(self) -> SqlNoticeBook:
        return SqlNoticeBook(self.uow.conn)

    @property
    def notice_announcements(self) -> OutboxNoticeAnnouncements:
        return OutboxNoticeAnnouncements(self.uow)
