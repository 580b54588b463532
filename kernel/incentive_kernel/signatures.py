"""The project's webhook signature: HMAC-SHA256 over a timestamp and the raw body, written once.

``X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``; several ``v1`` entries may be
sent (one per secret during a rotation). Registration verifies it on CRM deliveries (inbound);
governance signs its outbound webhook deliveries with it, so a subscriber checks them the same way.
Every comparison is constant-time (``hmac.compare_digest``) and every pair is compared.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

MAX_SECONDS_DIGITS = 11  # unix seconds up to year 5138: anything longer is not a timestamp


class SignatureError(Exception):
    """The request is not provably from the holder of a secret; nothing it says is applied."""


def ascii_epoch(value: str, max_digits: int = MAX_SECONDS_DIGITS) -> int | None:
    """A timestamp of ASCII digits only (``str.isdigit`` also takes "²" and other scripts' digits)."""
    value = value.strip()
    if not value or len(value) > max_digits or not value.isascii() or not value.isdigit():
        return None
    return int(value)


def _digest(secret: bytes, body: bytes, timestamp: int) -> str:
    return hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def sign_timestamped(secret: bytes, body: bytes, timestamp: int) -> str:
    """The ``X-Signature`` value of ``body`` sent at ``timestamp`` (unix seconds)."""
    return f"t={timestamp},v1={_digest(secret, body, timestamp)}"


def verify_timestamped(header: str | None, body: bytes, secrets: Sequence[bytes], *, now: float, tolerance: int) -> int:
    """Checks ``X-Signature`` against every secret; returns its timestamp. Raises :class:`SignatureError`."""
    if not header:
        raise SignatureError("missing X-Signature header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            timestamp = ascii_epoch(value)
        elif key == "v1" and value:
            candidates.append(value.strip().lower())
    if timestamp is None or not candidates:
        raise SignatureError("X-Signature must be t=<unix seconds>,v1=<hex hmac>")
    if abs(now - timestamp) > tolerance:
        raise SignatureError(f"signature timestamp is more than {tolerance} s away from now")
    expected = [_digest(secret, body, timestamp).encode() for secret in secrets]
    if not matches_any(expected, [c.encode() for c in candidates]):
        raise SignatureError("signature does not match")
    return timestamp


def matches_any(expected: Sequence[bytes], given: Sequence[bytes]) -> bool:
    """Whether any given value equals any expected one, comparing every pair (no early exit), so
    timing reveals neither which secret nor which entry matched."""
    matched = False
    for e in expected:
        for g in given:
            matched |= hmac.compare_digest(e, g)
    return matched


__all__ = ["SignatureError", "ascii_epoch", "matches_any", "sign_timestamped", "verify_timestamped"]
