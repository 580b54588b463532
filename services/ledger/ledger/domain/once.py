"""``once``: ``functools.cached_property`` without its lock.

Python 3.11's ``cached_property`` takes a re-entrant lock on every first read (removed in 3.12 as
useless): the projector reads several such values per journal entry (each explanation's document and
encoding), and the lock was most of what reading them cost. ``once`` computes the value on the first
read and stores it in the instance's dict under the same name, where every later read finds it
without calling the descriptor (a non-data descriptor, as ``cached_property`` is). The values it is
used for are pure functions of frozen values: two threads computing one at once would store equal
values, which is all the lock ever guaranteed here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class once(Generic[T]):  # named like the decorator it replaces
    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> once[T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> T | once[T]:
        if instance is None:
            return self
        value = self.func(instance)
        instance.__dict__[self.name] = value
        return value
