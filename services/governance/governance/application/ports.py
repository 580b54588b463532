"""What the governance use cases need from the outside world (implemented in adapters/).

Aggregates are event streams: ``Streams.load`` returns a stream's recorded events (locked FOR UPDATE
when the use case will change it) and ``append`` adds new ones, keeping one row per stream that lists
and filters read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from incentive_contracts.events.program import ProgramVersionPublished
from incentive_contracts.payload import EventPayload
from incentive_kernel.clock import Clock as Clock  # re-exported: the port use cases name
from incentive_kernel.paging import Page as Page  # re-exported: the page use cases return

from ..domain.activity import ActivityFact
from ..domain.audit import AuditCandidate
from .webhook_ports import Deliveries, Subscriptions


@dataclass(frozen=True)
class StreamRow:
    """How a stream is listed: whose it is, a label (a plan's year, an audit's period, a proposal's
    program) and its status."""

    partner_id: str | None
    label: str | None
    status: str


@dataclass(frozen=True)
class StreamFilter:
    partner_id: str | None = None
    label: str | None = None
    statuses: tuple[str, ...] = ()


class Streams(Protocol):
    async def load(self, stream_id: str, *, for_update: bool = False) -> list[EventPayload]:
        """The stream's events in order ([] when it does not exist)."""
        ...

    async def append(
        self, stream_id: str, kind: str, row: StreamRow, expected: int, events: Sequence[EventPayload]
    ) -> None:
        """Add ``events`` after the ``expected`` ones; a new stream (expected 0) whose id, or whose
        unique row (one plan per partner and year), is taken raises AlreadyExists."""
        ...

    async def page(
        self, kind: str, where: StreamFilter, *, after: int | None, limit: int
    ) -> Page[list[EventPayload]]: ...

    async def every(self, kind: str, where: StreamFilter) -> list[list[EventPayload]]:
        """Every matching stream's events, in stream order (for daily runs and summaries)."""
        ...

    async def partners(self, kind: str) -> list[str]:
        """Partners with at least one stream of ``kind``."""
        ...


class Facts(Protocol):
    async def add(self, facts: Sequence[ActivityFact]) -> int:
        """Store facts not seen before (by fact id); how many were new."""
        ...

    async def totals(self, partner_id: str, start: date, end: date) -> dict[str, Decimal]:
        """The partner's raw metric totals for facts dated ``start``..``end`` inclusive."""
        ...

    async def partners(self) -> list[str]: ...


class AuditPopulation(Protocol):
    async def add(self, candidates: Sequence[AuditCandidate]) -> None: ...
    async def of_period(self, period: str) -> list[AuditCandidate]: ...


class ProgramVersions(Protocol):
    """Program versions as the ledger announced them (``program.version_published``)."""

    async def add(self, published: ProgramVersionPublished) -> None:
        """Keep a version (a repeated announcement of a version already kept changes nothing)."""
        ...

    async def of_program(self, program_id: str) -> list[ProgramVersionPublished]: ...


class GovernanceUnit(Protocol):
    """One transaction: repositories plus the outbox (``publish``); also a webhook use case's
    :class:`~governance.application.webhook_ports.WebhookUnit`."""

    streams: Streams
    facts: Facts
    population: AuditPopulation
    programs: ProgramVersions
    subscriptions: Subscriptions
    deliveries: Deliveries
    clock: Clock

    def publish(self, payload: EventPayload, *, time: datetime) -> str: ...
