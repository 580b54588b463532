"""``evolve``: a copy of a frozen state value with some fields changed.

``dataclasses.replace`` re-runs ``__init__`` over every field, which made it the projector's
largest single cost (several copies per event). The state values (partners, deals, reward records,
reward components) validate nothing on construction, so copying their field dict is the same
result at a fraction of the cost. Values with a ``__post_init__`` check must keep ``replace``.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")
_VALIDATES: dict[type, bool] = {}  # per class: whether it has a ``__post_init__`` check


def evolve(value: T, **changes: Any) -> T:
    fields = value.__dict__.copy()
    count = len(fields)
    fields.update(changes)
    if len(fields) != count:  # a change named a field the value does not have
        unknown = sorted(changes.keys() - value.__dict__.keys())
        raise TypeError(f"{type(value).__name__} has no field {unknown}")
    validates = _VALIDATES.get(type(value))
    if validates is None:
        validates = _VALIDATES[type(value)] = hasattr(type(value), "__post_init__")
    if validates:
        raise TypeError(f"{type(value).__name__} validates on construction: use dataclasses.replace")
    clone = object.__new__(type(value))
    object.__setattr__(clone, "__dict__", fields)
    return clone
