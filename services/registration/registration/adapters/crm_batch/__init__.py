"""Applying a whole batch of CRM deliveries with a fixed number of statements.

:class:`SqlCrmBatch` is the adapter behind the application's ``CrmBatch`` port
(:mod:`...application.crm_sync` drives it). Its :class:`BatchUnit` is a ``RegistrationUnit`` that
answers from state loaded for the batch up front and keeps every write in memory; the same use
cases (``apply_changes`` and the registration and stage cases it calls) run on it unchanged, so
they decide exactly what they decide one delivery at a time. By concern:

- :mod:`.queries`: the set-based statements (one per kind of key, each key one index probe);
- :mod:`.loads`: what the batch reads, loaded and locked before anything is decided;
- :mod:`.state`, :mod:`.repos`, :mod:`.unit`, :mod:`.journal`: the in-memory unit, whose
  savepoints are an undo journal (a rejected notification leaves nothing behind);
- :mod:`.writes`: the bulk writes at the end.

A question the loaded state cannot answer raises :class:`NotPrepared`, and a notification id
another transaction claimed meanwhile :class:`ClaimLost`; the application then rolls the batch
back and applies it one delivery at a time, so a gap in the preparation costs time, never
correctness.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from ...application.crm_ports import Notification, StagedEvent
from ...application.ports import Clock
from ...domain.crm import CrmRecord
from ...domain.policy import RegistrationPolicy
from ...domain.registration import RegisterDeal
from . import loads
from .state import BatchState, ClaimLost, NotPrepared
from .unit import BatchUnit
from .writes import flush

__all__ = ["BatchState", "BatchUnit", "ClaimLost", "NotPrepared", "SqlCrmBatch", "flush"]


class SqlCrmBatch:
    """A batch over one connection: :mod:`.loads` fill its state, its unit decides, :func:`flush` writes."""

    def __init__(self, conn: AsyncConnection, clock: Clock) -> None:
        self.conn = conn
        self.state = BatchState()
        self.unit = BatchUnit(self.state, clock)

    async def new_notifications(self, notifications: Sequence[Notification]) -> set[tuple[str, str]]:
        await loads.new_notifications(self.conn, self.state, notifications)
        return self.state.fresh

    async def load_records(self, keys: Iterable[tuple[str, str]]) -> Mapping[tuple[str, str], CrmRecord | None]:
        await loads.load_records(self.conn, self.state, keys)
        return self.state.records

    async def existing_deals(self, deal_ids: Iterable[str]) -> set[str]:
        return await loads.existing_deals(self.conn, deal_ids)

    async def load_for_registrations(self, commands: Sequence[RegisterDeal], policy: RegistrationPolicy) -> None:
        await loads.load_for_registrations(self.conn, self.state, commands, policy)

    async def load_deals(self, deal_ids: Iterable[str]) -> None:
        await loads.load_deals(self.conn, self.state, deal_ids)

    async def flush(self) -> None:
        await flush(self.conn, self.state)  # looked up here at each call (tests wrap it to fail or race)

    @property
    def events(self) -> Sequence[StagedEvent]:
        return self.state.events
