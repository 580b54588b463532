"""Opaque keyset-pagination cursors, one format for every service's lists."""

from __future__ import annotations

import base64

import orjson


class InvalidCursor(ValueError):
    """A cursor this API did not issue (answered as 400 problem+json)."""


def encode_cursor(after: int | str) -> str:
    """The cursor that continues a list after the row whose key is ``after``."""
    return base64.urlsafe_b64encode(orjson.dumps({"after": after})).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | str | None:
    if cursor is None:
        return None
    try:
        value = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["after"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidCursor("the cursor is not one this API returned") from exc
    if not isinstance(value, int | str) or isinstance(value, bool):
        raise InvalidCursor("the cursor is not one this API returned")
    return value


def decode_int_cursor(cursor: str | None) -> int | None:
    value = decode_cursor(cursor)
    if value is not None and not isinstance(value, int):
        raise InvalidCursor("the cursor is not one this API returned")
    return value


def decode_text_cursor(cursor: str | None) -> str | None:
    """The key a cursor of a list keyed by text continues after (a number's cursor is refused)."""
    value = decode_cursor(cursor)
    if value is not None and not isinstance(value, str):
        raise InvalidCursor("the cursor is not one this API returned")
    return value
