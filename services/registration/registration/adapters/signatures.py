"""Webhook signatures: HMAC-SHA256 over the raw body, a timestamp tolerance, constant-time compare.

Two formats:
- timestamped (generic and Salesforce): ``X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">``;
  several ``v1`` entries may be sent (one per secret during a rotation); the project's one scheme, in
  the kernel (``incentive_kernel.signatures``, which governance signs its outbound webhooks with);
- HubSpot v3: ``X-HubSpot-Signature-v3`` = base64 HMAC-SHA256 of method + URI + body + timestamp,
  ``X-HubSpot-Request-Timestamp`` in milliseconds.
Every active secret is tried (two during a rotation); all comparisons are ``hmac.compare_digest``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from incentive_kernel.signatures import (
    MAX_SECONDS_DIGITS,
    SignatureError,
    ascii_epoch,
    matches_any,
    sign_timestamped,
    verify_timestamped,
)

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
    timestamp_ms = ascii_epoch(timestamp, MAX_SECONDS_DIGITS + 3)
    if timestamp_ms is None:
        raise SignatureError("X-HubSpot-Request-Timestamp must be milliseconds since the epoch")
    if abs(now * 1000 - timestamp_ms) > tolerance * 1000:
        raise SignatureError(f"request timestamp is more than {tolerance} s away from now")
    expected = [sign_hubspot_v3(s, method, uri, body, timestamp_ms).encode() for s in secrets]
    if not matches_any(expected, [signature.strip().encode()]):
        raise SignatureError("signature does not match")
    return timestamp_ms


__all__ = [
    "SignatureError",
    "hubspot_uri",
    "sign_hubspot_v3",
    "sign_timestamped",
    "verify_hubspot_v3",
    "verify_timestamped",
]
