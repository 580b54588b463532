"""Opaque cursors round-trip, and anything else is refused."""

from __future__ import annotations

import pytest
from servicekit.pagination import InvalidCursor, decode_cursor, decode_int_cursor, decode_text_cursor, encode_cursor


@pytest.mark.parametrize("key", [0, 41, 10**12, "acme", "p-1/é"])
def test_cursors_round_trip(key):
    assert decode_cursor(encode_cursor(key)) == key


def test_no_cursor_means_the_first_page():
    assert decode_cursor(None) is None
    assert decode_int_cursor(None) is None


@pytest.mark.parametrize("bad", ["nonsense", "", "e30", encode_cursor("acme").upper()])
def test_foreign_cursors_are_refused(bad):
    with pytest.raises(InvalidCursor):
        decode_cursor(bad)


def test_an_int_cursor_refuses_a_text_key():
    with pytest.raises(InvalidCursor):
        decode_int_cursor(encode_cursor("acme"))


def test_a_text_cursor_refuses_a_number_key():
    assert decode_text_cursor(encode_cursor("acme")) == "acme"
    assert decode_text_cursor(None) is None
    with pytest.raises(InvalidCursor):
        decode_text_cursor(encode_cursor(41))
