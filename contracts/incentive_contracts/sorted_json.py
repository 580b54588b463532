"""The sorted, compact JSON spelling that is hashed (journal entries' chain, idempotency keys):
``json.dumps(value, sort_keys=True, separators=(",", ":"))``, written by orjson where the two agree."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson


def orjson_sorted(value: Any, *, default: Callable[[Any], Any] | None = None, option: int = 0) -> bytes | None:
    """``value`` with sorted keys and no whitespace, by orjson, where the json module (``sort_keys=True``,
    compact separators, the same ``default``) writes the same bytes: printable ASCII with no escape, so
    every string was written as it is and every key is ASCII (sorted alike by code point and by byte).
    None otherwise, for the caller's json-module path: a string one of them escapes (non-ASCII, which
    the json module writes as ``\\u`` escapes and orjson as UTF-8; DEL, escaped by the json module only;
    quotes, backslashes, control characters), a value orjson does not write (an integer beyond 64 bits,
    a type ``default`` refuses) or a nesting deeper than orjson writes. ``option`` adds orjson options."""
    try:
        spelled = orjson.dumps(value, default=default, option=orjson.OPT_SORT_KEYS | option)
    except TypeError:  # orjson.JSONEncodeError is one
        return None
    if spelled.isascii() and b"\\" not in spelled and b"\x7f" not in spelled:
        return spelled
    return None
