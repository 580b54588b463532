"""The compiled decoder (``fast_decode``) against the reference (``CloudEvent.from_json`` +
``registry.decode``): where the fast path answers, both give equal envelopes and payloads with the
same fields set and the same serialised bytes; where the reference refuses, the fast path never
answers (the caller then takes the reference path, which gives the reason). Every example event is
decoded both ways, and hypothesis tampers with their members and envelopes."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from contract_support import EVENT_KEYS, key_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from incentive_contracts import registry
from incentive_contracts.envelope import CloudEvent
from incentive_contracts.examples import example_envelope
from incentive_contracts.fast_decode import compiled_types, fast_decode
from pydantic import BaseModel, ValidationError

LATEST = [k for k in EVENT_KEYS if k[1] == registry.latest_version(k[0])]
HOT = ["deal.registered", "deal.approved", "deal.won", "mdf.allocated", "ledger.entry_posted"]


def _reference(raw: bytes) -> tuple[CloudEvent, Any] | None:
    try:
        envelope = CloudEvent.from_json(raw)
        return envelope, registry.decode(envelope)
    except (ValueError, ValidationError, orjson.JSONDecodeError):
        return None


def _same_model(fast: BaseModel, ref: BaseModel) -> None:
    assert type(fast) is type(ref)
    assert fast == ref
    assert fast.model_fields_set == ref.model_fields_set
    assert fast.model_dump_json() == ref.model_dump_json()
    for name, value in ref.__dict__.items():
        got = fast.__dict__[name]
        assert type(got) is type(value), name
        if isinstance(value, BaseModel):
            _same_model(got, value)
        elif isinstance(value, list):
            assert [type(v) for v in got] == [type(v) for v in value], name
            for a, b in zip(got, value, strict=True):
                if isinstance(b, BaseModel):
                    _same_model(a, b)
    assert list(fast.__dict__) == list(ref.__dict__)  # field order, as pydantic builds it


def assert_alike(raw: bytes) -> bool:
    """Both paths agree on ``raw``; True when the fast path decoded it."""
    fast = fast_decode(raw)
    ref = _reference(raw)
    if fast is None:
        return False
    assert ref is not None, f"the fast path accepted what the reference refuses: {raw!r}"
    _same_model(fast[0], ref[0])
    assert fast[0].time.tzinfo is ref[0].time.tzinfo
    _same_model(fast[1], ref[1])
    assert fast[1].subject == ref[1].subject
    return True


def test_the_hot_event_types_are_compiled() -> None:
    assert set(HOT) <= compiled_types()


@pytest.mark.parametrize("key", EVENT_KEYS, ids=key_id)
def test_every_example_decodes_alike(key: tuple[str, int]) -> None:
    raw = example_envelope(*key).to_json()
    decoded = assert_alike(raw)
    # Only a compiled type's latest version can take the fast path (an older one needs its upcaster);
    # the hot ones do (others may hold a member the fast path leaves to pydantic, e.g. a pattern).
    if decoded:
        assert key in LATEST
        assert key[0] in compiled_types()
    if key in LATEST and key[0] in HOT:
        assert decoded


JSON_LEAF = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(
        ["", "USD", "usd", "1.50", "-0", "1e3", " 1.5", "1.5\n", "\uff10\uff11", "2026-02-29", "2025-02-29"]
    )
    | st.sampled_from(["2026-04-01", "2026-4-1", "20260401", "2026-04-01T00:00:00", "2026-04-01T00:00:00Z", "reseller"])
    | st.dates().map(str)
)
JSON_VALUE = st.recursive(
    JSON_LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
)
TIMES = (
    st.datetimes().map(lambda d: d.isoformat())
    | st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())
    | st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S") + "Z")
    | st.sampled_from(
        [
            "2026-04-01T09:30:00Z",
            "2026-04-01T09:30:00.5Z",
            "2026-04-01T09:30:00.1234567Z",
            "2026-04-01t09:30:00z",
            "2026-04-01 09:30:00Z",
            "2026-04-01T09:30:00+24:00",
            "2026-04-01T09:30:00-23:59",
            "2026-04-01T23:59:60Z",
            "2026-04-01T09:30Z",
            "2026-04-01T09:30:00+0100",
            "1775035800",
        ]
    )
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
)


def _example_doc(key: tuple[str, int]) -> dict[str, Any]:
    return dict(orjson.loads(example_envelope(*key).to_json()))


def _tamper(doc: dict[str, Any], path: list[str], value: Any, *, drop: bool) -> dict[str, Any]:
    """``doc`` with the member at ``path`` replaced (or removed)."""
    copy = orjson.loads(orjson.dumps(doc))
    target = copy
    for key in path[:-1]:
        target = target[key]
    if drop:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    return dict(copy)


def _paths(value: Any, prefix: list[str]) -> list[list[str]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found.extend(_paths(inner, [*prefix, key]))
    return found


FAST_KEYS = [k for k in LATEST if k[0] in compiled_types()]


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(FAST_KEYS), st.data())
def test_tampered_members_decode_alike(key: tuple[str, int], data: st.DataObject) -> None:
    doc = _example_doc(key)
    paths = [*_paths(doc, []), ["data", "unknown"], ["unknown"]]
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        path = data.draw(st.sampled_from(paths))
        if len(path) > 1 and not isinstance(_get(doc, path[:-1]), dict):
            continue
        value = data.draw(TIMES if path == ["time"] else JSON_VALUE)
        doc = _tamper(doc, path, value, drop=data.draw(st.booleans()))
    assert_alike(orjson.dumps(doc))


def _get(doc: dict[str, Any], path: list[str]) -> Any:
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return None
        doc = doc[key]
    return doc


EDGES: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    "",
    " ",
    "x",
    "x" * 65,
    "x" * 201,
    "x" * 501,
    "x" * 1001,
    "2026-04-01",
    "2026-4-1",
    "2026-04-01T00:00:00Z",
    "2026-02-30",
    "12.50",
    "1e3",
    "USD",
    "XXX",
    "usd",
    "reseller",
    "approved",
    [],
    [""],
    {},
    {"amount": "1.00", "currency": "USD"},
    {"amount": "1.005", "currency": "JPY"},
    {"amount": 1, "currency": "USD"},
]


@pytest.mark.parametrize("key", FAST_KEYS, ids=key_id)
def test_every_member_with_edge_values_decodes_alike(key: tuple[str, int]) -> None:
    doc = _example_doc(key)
    paths = [p for p in _paths(doc, []) if p[0] != "data" or len(p) > 1] + [["data", "unknown"]]
    for path in paths:
        assert_alike(orjson.dumps(_tamper(doc, path, None, drop=True)))
        for value in EDGES:
            assert_alike(orjson.dumps(_tamper(doc, path, value, drop=False)))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FAST_KEYS), TIMES)
def test_envelope_times_decode_alike(key: tuple[str, int], time: Any) -> None:
    doc = _example_doc(key) | {"time": time}
    assert_alike(orjson.dumps(doc))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=40) | st.text(max_size=40).map(str.encode))
def test_garbage_never_takes_the_fast_path(raw: bytes) -> None:
    assert fast_decode(raw) is None or _reference(raw) is not None


def test_an_enrolment_without_contacts_takes_the_fast_path() -> None:
    doc = _example_doc(("partner.enrolled", 2))
    assert doc["data"]["contacts"]  # an e-mail pattern with \\s: left to pydantic
    assert not assert_alike(orjson.dumps(doc))
    doc["data"]["contacts"] = []
    assert assert_alike(orjson.dumps(doc))


def test_a_refused_member_falls_back_to_the_reference_reason() -> None:
    doc = _example_doc(("deal.won", 2))
    doc["data"]["amount"]["amount"] = 12.5  # a JSON number is never money
    raw = orjson.dumps(doc)
    assert fast_decode(raw) is None
    with pytest.raises(ValidationError, match="never floats or JSON numbers"):
        registry.decode(CloudEvent.from_json(raw))


def test_a_subject_that_is_not_the_partner_is_refused() -> None:
    doc = _example_doc(("deal.won", 2)) | {"subject": "someone-else"}
    raw = orjson.dumps(doc)
    assert fast_decode(raw) is None
    assert _reference(raw) is None
