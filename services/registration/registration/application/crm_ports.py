"""What the crm-sync use cases need from the outside world (implemented in adapters/).

One drain of the CRM inbox runs inside one :class:`CrmSyncTransaction`: it claims pending
deliveries from the :class:`CrmInbox`, applies them either together on a :class:`CrmBatch` (state
loaded up front by a few set-based reads, the same use cases deciding in memory, bulk writes) or
one at a time on the transaction's statement-by-statement unit, and records every delivery's
outcome; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol

from incentive_contracts.payload import EventPayload

from ..domain.crm import CrmChange, CrmMapping, CrmRecord
from ..domain.policy import RegistrationPolicy
from ..domain.registration import RegisterDeal
from .ports import Clock, RegistrationUnit

StagedEvent = tuple[EventPayload, datetime, str]
"""An event waiting for the outbox: the payload, when it happened, its event id."""

Notification = tuple[str, CrmChange]
"""One CRM notification: the source that sent it and the change it carries."""


class BatchNotApplicable(Exception):
    """The batch cannot be applied together (it was not prepared for a question, or another
    transaction claimed one of its notification ids meanwhile): apply it one delivery at a time."""


class PendingDelivery(Protocol):
    """A stored delivery waiting in the inbox."""

    @property
    def id(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def delivery_id(self) -> str: ...
    def changes(self) -> list[CrmChange]: ...


class CrmInbox(Protocol):
    async def claim(self, limit: int) -> Sequence[PendingDelivery]:
        """Up to ``limit`` pending deliveries, in arrival order, locked for this transaction."""
        ...

    async def finish(self, outcomes: dict[int, dict[str, Any]]) -> None:
        """Record each claimed delivery's outcome (by inbox id): it is done."""
        ...


class CrmMappings(Protocol):
    def mapping(self, source: str) -> CrmMapping: ...


class CrmBatch(Protocol):
    """A batch's state: loaded up front, answered from memory by :attr:`unit`, written by :meth:`flush`.

    Every ``load_*`` locks what it reads in the order the API takes the same locks (CRM records,
    customers, then deals). A question the loaded state cannot answer raises a
    :class:`BatchNotApplicable`, and so does a notification id claimed meanwhile elsewhere.
    """

    @property
    def unit(self) -> RegistrationUnit: ...

    async def new_notifications(self, notifications: Sequence[Notification]) -> set[tuple[str, str]]:
        """Which (source, notification id) pairs of the batch were never seen (the rest are duplicates)."""
        ...

    async def load_records(self, keys: Iterable[tuple[str, str]]) -> Mapping[tuple[str, str], CrmRecord | None]:
        """Lock and load the CRM records the batch touches (None: not seen yet)."""
        ...

    async def existing_deals(self, deal_ids: Iterable[str]) -> set[str]:
        """Which of these deals exist now (read without locking them)."""
        ...

    async def load_for_registrations(self, commands: Sequence[RegisterDeal], policy: RegistrationPolicy) -> None:
        """Lock the customers of every registration the batch may make, then load what decides them."""
        ...

    async def load_deals(self, deal_ids: Iterable[str]) -> None:
        """Lock (``FOR UPDATE``) and load the deals of the batch's records."""
        ...

    async def flush(self) -> None:
        """Write what the batch did, in bulk."""
        ...

    @property
    def events(self) -> Sequence[StagedEvent]:
        """The events the batch emitted, in order, for the outbox."""
        ...


class CrmSyncTransaction(Protocol):
    """One database transaction of the crm-sync worker (committed by the caller)."""

    @property
    def inbox(self) -> CrmInbox: ...
    @property
    def clock(self) -> Clock: ...

    def one_by_one(self) -> RegistrationUnit:
        """A unit that reads and writes statement by statement, with real savepoints."""
        ...

    def batch(self) -> CrmBatch:
        """A fresh, empty batch over this transaction."""
        ...

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """A savepoint of the transaction: everything written inside is rolled back on an error."""
        ...

    def publish(self, events: Sequence[StagedEvent]) -> None:
        """Stage these events for the outbox (written on commit)."""
        ...

    def transient(self, exc: Exception) -> bool:
        """Whether ``exc`` comes from concurrency alone (a deadlock between shards, say), not from the
        delivery: then the whole transaction is rolled back and retried, and no delivery is failed for it."""
        ...
