"""The application's MdfUnit over a servicekit unit of work."""

from __future__ import annotations

from datetime import datetime

from incentive_contracts.payload import EventPayload
from incentive_kernel.clock import SystemClock
from servicekit.unit_of_work import UnitOfWork

from ..application.partner_directory import PartnerDirectory
from ..application.ports import Budgets, Claims, Clock, Funds, History, Periods, Requests, Tiers
from .claims_repo import SqlClaims
from .funds_repo import SqlFunds
from .history_repo import SqlHistory, SqlTiers
from .partners_repo import SqlPartnerDirectory
from .periods_repo import SqlBudgets, SqlPeriods
from .requests_repo import SqlRequests


class SqlMdfUnit:
    def __init__(self, uow: UnitOfWork, clock: Clock | None = None) -> None:
        self.uow = uow
        conn = uow.conn
        self.periods: Periods = SqlPeriods(conn)
        self.budgets: Budgets = SqlBudgets(conn)
        self.funds: Funds = SqlFunds(conn)
        self.requests: Requests = SqlRequests(conn)
        self.claims: Claims = SqlClaims(conn)
        self.tiers: Tiers = SqlTiers(conn)
        self.history: History = SqlHistory(conn)
        self.partners: PartnerDirectory = SqlPartnerDirectory(conn)
        self.clock: Clock = clock or SystemClock()

    def publish(self, payload: EventPayload, *, time: datetime) -> str:
        return str(self.uow.publish(payload, time=time))
