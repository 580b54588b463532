"""The application's GovernanceUnit over a servicekit unit of work."""

from __future__ import annotations

from datetime import datetime

from incentive_contracts.payload import EventPayload
from incentive_kernel.clock import SystemClock
from servicekit.unit_of_work import UnitOfWork

from ..application.ports import AuditPopulation, Clock, Facts, ProgramVersions, Streams
from ..application.webhook_ports import Deliveries, Subscriptions
from .facts_repo import SqlAuditPopulation, SqlFacts
from .programs_repo import SqlProgramVersions
from .streams_repo import SqlStreams
from .webhooks_repo import SqlDeliveries, SqlSubscriptions


class SqlGovernanceUnit:
    def __init__(self, uow: UnitOfWork, clock: Clock | None = None) -> None:
        self.uow = uow
        self.streams: Streams = SqlStreams(uow.conn)
        self.facts: Facts = SqlFacts(uow.conn)
        self.population: AuditPopulation = SqlAuditPopulation(uow.conn)
        self.programs: ProgramVersions = SqlProgramVersions(uow.conn)
        self.subscriptions: Subscriptions = SqlSubscriptions(uow.conn)
        self.deliveries: Deliveries = SqlDeliveries(uow.conn)
        self.clock: Clock = clock or SystemClock()

    def publish(self, payload: EventPayload, *, time: datetime) -> str:
        return str(self.uow.publish(payload, time=time))
