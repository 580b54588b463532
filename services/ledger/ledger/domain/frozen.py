"""``quick_init``: a frozen dataclass whose ``__init__`` fills the instance at once.

A frozen dataclass's generated ``__init__`` sets each field with its own ``object.__setattr__`` call
(its ``__setattr__`` refuses changes): the projector builds well over a hundred such fields per won
deal (entries, postings, explanations, components, states). ``quick_init`` replaces that
``__init__`` with one of the same signature (names, order, defaults, factories) that sets the
instance's dict in one assignment, then runs ``__post_init__`` where the class has one: about 10 %
of the instructions of projecting a won deal. The value is the same: the same fields in the same
order, still frozen (``__setattr__`` and ``__delattr__`` are the dataclass's). The generated
``__init__`` is kept as ``__reference_init__``; ``tests/unit/test_ledger_quick_init.py`` holds the
two equal.

The cost: such a value keeps its fields in a dict of its own (as every ``evolve`` copy always has)
rather than CPython's compact inline values, about 180 bytes more for ten fields. So it is used for
what the projector builds per event and lets go of per batch, and for partner and deal states (which
are ``evolve`` copies anyway), not for values held in great numbers (reward records, won deals).

Only plain fields are supported (no ``init=False``, ``InitVar``, ``kw_only`` or ``__slots__``):
anything else is refused when the class is defined.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


class _Factory:
    """The default of a parameter whose field has a ``default_factory``: called per instance."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def quick_init(cls: type[T]) -> type[T]:
    params = dataclasses.fields(cls)  # type: ignore[arg-type]
    if not cls.__dataclass_params__.frozen or "__slots__" in cls.__dict__:  # type: ignore[attr-defined]
        raise TypeError(f"quick_init is for frozen dataclasses with a __dict__, not {cls.__name__}")
    names: dict[str, Any] = {"_FACTORY": _FACTORY, "_set": object.__setattr__}
    signature, members = [], []
    for i, f in enumerate(params):
        if not f.init or f.kw_only or f._field_type is not dataclasses._FIELD:  # type: ignore[attr-defined]
            raise TypeError(f"quick_init supports plain fields only: {cls.__name__}.{f.name}")
        if f.default is not dataclasses.MISSING:
            names[f"_default_{i}"] = f.default
            signature.append(f"{f.name}=_default_{i}")
            members.append(f"{f.name!r}: {f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            names[f"_factory_{i}"] = f.default_factory
            signature.append(f"{f.name}=_FACTORY")
            members.append(f"{f.name!r}: _factory_{i}() if {f.name} is _FACTORY else {f.name}")
        else:
            signature.append(f.name)
            members.append(f"{f.name!r}: {f.name}")
    post_init = "\n    self.__post_init__()" if hasattr(cls, "__post_init__") else ""
    source = (
        f"def __init__(self, {', '.join(signature)}):\n"
        f"    _set(self, '__dict__', {{{', '.join(members)}}}){post_init}\n"
    )
    exec(source, names)  # noqa: S102 - code built above from the class's own field names
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__reference_init__ = cls.__init__  # type: ignore[attr-defined]
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
