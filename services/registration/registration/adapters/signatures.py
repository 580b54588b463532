"""Webhook signatures: HMAC-SHA256 over the raw body, a timestamp tolerance, constant-time compare.

Two formats:
- timestamped (generic and Salesforce): ``X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">``;
  several ``v1`` entries may be sent (one per secret during a rotation);
- HubSpot v3: ``X-HubSpot-Signature-v3`` = base64 HMAC-SHA256 of method + URI + body + timestamp,
  ``X-HubSpot-Request-Timestamp`` in milliseconds.
Every active secret is tried (two during a rotation); all comparisons are ``hmac.compare_digest``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

HUBSPOT_URI_DECODE = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}


MAX_SECONDS_DIGITS = 11  # unix seconds up to year 5138: anything longer is not a timestamp


class SignatureError(Exception):
    """The request is not provably from the CRM; nothing it says is applied."""


def _epoch(value: str, max_digits: int) -> int | None:
    """A timestamp of ASCII digits only (``str.isdigit`` also takes "²" and other scripts' digits)."""
    value = value.strip()
    if not value or len(value) > max_digits or not value.isascii() or not value.isdigit():
        return None
    return int(value)


def sign_timestamped(secret: bytes, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_timestamped(header: str | None, body: bytes, secrets: list[bytes], *, now: float, tolerance: int) -> int:
    """Checks ``X-Signature``; returns its timestamp. Raises :class:`SignatureError`."""
    if not header:
        raise SignatureError("missing X-Signature header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            timestamp = _epoch(value, MAX_SECONDS_DIGITS)
        elif key == "v1" and value:
            candidates.append(value.strip().lower())
    if timestamp is None or not candidates:
        raise SignatureError("X-Signature must be t=<unix seconds>,v1=<hex hmac>")
    if abs(now - timestamp) > tolerance:
        raise SignatureError(f"signature timestamp is more than {tolerance} s away from now")
    signed = str(timestamp).encode() + b"." + body
    expected = [hmac.new(secret, signed, hashlib.sha256).hexdigest().encode() for secret in secrets]
    if not _any_match(expected, [c.encode() for c in candidates]):
        raise SignatureError("signature does not match")
    return timestamp


def hubspot_uri(uri: str) -> str:
    """The URI as HubSpot signs it: certain percent-escapes decoded."""
    for escaped, plain in HUBSPOT_URI_DECODE.items():
        uri = uri.replace(escaped, plain).replace(escaped.lower(), plain)
    return uri


def sign_hubspot_v3(secret: bytes, method: str, uri: str, body: bytes, timestamp_ms: int) -> str:
    message = method.upper().encode() + hubspot_uri(uri).encode() + body + str(timestamp_ms).encode()
    return base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest()).decode()


def verify_hubspot_v3(
    signature: str | None,
    timestamp: str | None,
    *,
    method: str,
    uri: str,
    body: bytes,
    secrets: list[bytes],
    now: float,
    tolerance: int,
) -> int:
    """Checks HubSpot's v3 signature; returns the timestamp (ms). Raises :class:`SignatureError`."""
    if not signature or not timestamp:
        raise SignatureError("missing X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp")
    timestamp_ms = _epoch(timestamp, MAX_SECONDS_DIGITS + 3)
    if timestamp_ms is None:
        raise SignatureError("X-HubSpot-Request-Timestamp must be milliseconds since the epoch")
    if abs(now * 1000 - timestamp_ms) > tolerance * 1000:
        raise SignatureError(f"request timestamp is more than {tolerance} s away from now")
    expected = [sign_hubspot_v3(s, method, uri, body, timestamp_ms).encode() for s in secrets]
    if not _any_match(expected, [signature.strip().encode()]):
        raise SignatureError("signature does not match")
    return timestamp_ms


def _any_match(expected: list[bytes], given: list[bytes]) -> bool:
    # Compare every pair (no early exit), so timing reveals neither which secret nor which entry.
    matched = False
    for e in expected:
        for g in given:
            matched |= hmac.compare_digest(e, g)
    return matched
