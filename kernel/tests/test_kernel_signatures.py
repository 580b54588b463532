"""The one webhook signature scheme: what governance signs, registration's verifier accepts."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from incentive_kernel.signatures import SignatureError, ascii_epoch, sign_timestamped, verify_timestamped

NOW = 1_780_000_000
BODY = b'{"specversion":"1.0","type":"governance.dispute_resolved"}'


def test_the_header_is_hmac_sha256_hex_over_t_dot_body() -> None:
    expected = hmac.new(b"k", f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign_timestamped(b"k", BODY, NOW) == f"t={NOW},v1={expected}"


def test_a_signed_body_verifies_under_any_active_secret_within_the_tolerance() -> None:
    header = sign_timestamped(b"new", BODY, NOW)
    assert verify_timestamped(header, BODY, [b"old", b"new"], now=NOW + 300, tolerance=300) == NOW
    rotated = f"{header},v1={sign_timestamped(b'old', BODY, NOW).split('v1=')[1]}"
    assert verify_timestamped(rotated, BODY, [b"old"], now=NOW, tolerance=300) == NOW


@pytest.mark.parametrize(
    ("header", "body", "now", "message"),
    [
        (None, BODY, NOW, "missing"),
        ("v1=abc", BODY, NOW, "must be t="),
        (f"t={NOW}", BODY, NOW, "must be t="),
        ("t=²,v1=abc", BODY, NOW, "must be t="),
        (sign_timestamped(b"new", BODY, NOW), BODY + b" ", NOW, "does not match"),
        (sign_timestamped(b"other", BODY, NOW), BODY, NOW, "does not match"),
        (sign_timestamped(b"new", BODY, NOW), BODY, NOW + 301, "away from now"),
    ],
)
def test_anything_else_is_refused(header: str | None, body: bytes, now: int, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        verify_timestamped(header, body, [b"new"], now=now, tolerance=300)


def test_a_timestamp_is_ascii_digits_of_bounded_length() -> None:
    assert ascii_epoch(" 1780000000 ") == 1_780_000_000
    assert [ascii_epoch(v) for v in ("", "-1", "1e9", "١٢٣", "9" * 12)] == [None] * 5
    assert ascii_epoch("9" * 14, 14) == int("9" * 14)
