"""Building a wire model from values already known to be what its validation would produce.

The compiled decoder (:mod:`.fast_decode`) and the envelope encoder (:func:`.registry.encode`) check
their input themselves, more narrowly than pydantic, and then build the instance pydantic's
validation would return: the same ``__dict__`` (in field order), the same fields set, no extra and
no private members. Tests compare such instances with validated ones; nothing else should call this.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


def built(cls: type[M], values: dict[str, Any], fields_set: set[str]) -> M:
    """The instance ``cls.model_validate`` returns for input that gives ``values`` (every field, in
    declaration order) with ``fields_set`` given: ``model_construct`` without its per-call work."""
    obj = cls.__new__(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", fields_set)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj
