"""The idempotency hash's canonical body: orjson's and the C encoder's spelling (bodies without
fractional numbers) is exactly the reference walk's, for generated JSON of every shape; orjson
spells only what it writes as the json module does; fractional numbers keep their digits; what is
not JSON stays as sent."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from incentive_contracts.sorted_json import orjson_sorted
from servicekit.idempotency import _canonical, canonical_body

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False)  # written as fractional or exponent numbers
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=40,
)


def reference(body: bytes) -> bytes:
    return b"json:" + _canonical(json.loads(body, parse_float=Decimal)).encode()


@settings(max_examples=400, deadline=None)
@given(documents, st.sampled_from([None, 2]))
def test_the_canonical_body_is_the_reference_spelling(value: Any, indent: int | None) -> None:
    body = json.dumps(value, indent=indent, ensure_ascii=indent is None).encode()
    assert canonical_body(body) == reference(body)


whole_documents = st.recursive(  # what reaches orjson_sorted: no fractional numbers
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.text(max_size=20)
    | st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7F), max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(whole_documents)
def test_the_orjson_spelling_is_the_json_modules_or_none(value: Any) -> None:
    spelled = orjson_sorted(value)
    if spelled is not None:
        assert spelled == json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def test_a_plain_ascii_body_is_spelled_by_orjson_and_the_rest_by_the_json_module() -> None:
    deal = {"deal_id": "d-1", "expected_amount": {"currency": "USD", "amount": "10.50"}, "n": 3, "ok": None}
    body = {"deals": [deal, deal]}
    assert orjson_sorted(body) == json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    for refused in ({"b": "\u00e9", "a": 1}, {"a": "x\x7fy"}, {"a": 'say "hi"'}, {"a": 2**64}, {"\u00e9": 1, "z": 2}):
        assert orjson_sorted(refused) is None
        assert canonical_body(json.dumps(refused).encode()) == reference(json.dumps(refused).encode())


def test_fractional_numbers_keep_their_digits_and_key_order_and_spacing_do_not_count() -> None:
    assert canonical_body(b'{"b": 1.50, "a": [1, 2.0]}') == b'json:{"a":[1,2.0],"b":1.50}'
    spaced = '{ "a": [1, true, null], "b": "\u00e9x" }'.encode()
    assert canonical_body(b'{"b":"\\u00e9x","a":[1,true,null]}') == canonical_body(spaced)
    assert canonical_body(b'{"b":"\\u00e9x","a":[1,true,null]}') == b'json:{"a":[1,true,null],"b":"\\u00e9x"}'


def test_what_is_not_json_stays_as_sent() -> None:
    assert canonical_body(b"not json") == b"not json"
    assert canonical_body(b'{"a": NaN}') == b'{"a": NaN}'
