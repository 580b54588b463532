"""Opaque keyset-pagination cursors."""

from __future__ import annotations

import base64

import orjson

from ..domain.errors import RuleViolation


def encode_cursor(value: int | str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"after": value})).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | str | None:
    if cursor is None:
        return None
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value = data["after"]
    except (ValueError, KeyError, TypeError) as exc:
        raise RuleViolation("the cursor is not one this API issued") from exc
    if not isinstance(value, int | str):
        raise RuleViolation("the cursor is not one this API issued")
    return value
