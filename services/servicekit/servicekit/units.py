"""Running a service's use cases in one committed unit: on its SQL units, or on an in-memory store.

A service's in-memory unit (for use-case tests without a database) works on a copy of its store's
data and commits by handing the copy back; :class:`MemoryStore` holds that data and runs a use case
in one such unit, as :func:`run_committed` runs one in one unit of work of the database.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any, Generic, Protocol, TypeVar

from incentive_kernel.clock import Clock, SystemClock

from .unit_of_work import UnitOfWork, UnitOfWorkFactory

D = TypeVar("D")
T = TypeVar("T")
U = TypeVar("U")


class Committable(Protocol):
    def commit(self) -> None: ...


class MemoryStore(ABC, Generic[D]):
    """A service's data in memory; :meth:`unit` opens a unit on a copy of it."""

    def __init__(self, data: D, clock: Clock | None = None) -> None:
        self.data = data
        self.clock: Clock = clock or SystemClock()

    def copy(self) -> D:
        """The data a new unit works on (its writes reach the store only when it commits)."""
        return copy.deepcopy(self.data)

    @abstractmethod
    def unit(self) -> Committable: ...

    async def run(self, use_case: Callable[[Any], Awaitable[T]]) -> T:
        """Run ``use_case`` in one unit and commit it (nothing is kept when it raises)."""
        unit = self.unit()
        result = await use_case(unit)
        unit.commit()
        return result


async def run_committed(
    uow_factory: UnitOfWorkFactory, unit_of: Callable[[UnitOfWork], U], use_case: Callable[[U], Awaitable[T]]
) -> T:
    """Run ``use_case`` on the service's unit over one unit of work, and commit it."""
    async with uow_factory() as uow:
        result = await use_case(unit_of(uow))
        await uow.commit()
    return result
