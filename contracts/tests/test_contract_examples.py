"""Every registered event has a realistic example that is valid, in wire form and round-trips."""

from __future__ import annotations

from typing import Any

import orjson
from contract_support import each_event, example_or_fail, key_id
from incentive_contracts import registry
from incentive_contracts.envelope import CloudEvent, dataschema_for
from incentive_contracts.examples import EXAMPLES, example_envelope, example_payload
from incentive_contracts.producers import source_for


def test_no_example_without_a_registered_event() -> None:
    stale = sorted(key_id(key) for key in EXAMPLES if key not in registry.models())
    assert not stale, f"examples for events that are not registered: {stale}"


@each_event
def test_event_has_an_example(key: tuple[str, int]) -> None:
    example = example_or_fail(key)
    assert example.meaning.strip(), f"{key_id(key)}: the example needs a one-line meaning"


@each_event
def test_example_validates_against_its_model_and_is_in_wire_form(key: tuple[str, int]) -> None:
    example = example_or_fail(key)
    payload = example_payload(*key)
    assert type(payload) is registry.models()[key]
    # Partner events are keyed by their partner; program.* events by program:<program_id>; insights'
    # alert events by alert:<alert_id>.
    keys = {"partner_id": "", "program_id": "program:", "alert_id": "alert:"}
    prefix, field = next((prefix, field) for field, prefix in keys.items() if field in example.data)
    assert payload.subject == prefix + example.data[field]
    # Written exactly as it travels: dumping the validated payload gives the example back.
    assert payload.model_dump(mode="json") == example.data, f"{key_id(key)}: example is not in wire form"


@each_event
def test_example_has_no_floats(key: tuple[str, int]) -> None:
    floats = list(_float_paths(example_or_fail(key).data, key_id(key)))
    assert not floats, f"amounts travel as decimal strings, never floats: {floats}"


@each_event
def test_example_envelope_names_its_type_version_producer_and_partner(key: tuple[str, int]) -> None:
    event_type, version = key
    example_or_fail(key)
    envelope = example_envelope(*key)
    assert envelope.type == event_type
    assert envelope.dataschema == dataschema_for(event_type, version)
    assert envelope.schema_version == version
    assert envelope.source == source_for(event_type)
    assert envelope.subject == envelope.partitionkey == example_payload(event_type, version).subject
    assert envelope.time.utcoffset() is not None


@each_event
def test_example_round_trips_through_json_and_decode(key: tuple[str, int]) -> None:
    event_type, version = key
    example_or_fail(key)
    envelope = example_envelope(*key)
    raw = envelope.to_json()
    assert raw == orjson.dumps(envelope.model_dump(mode="json", exclude_none=True))  # the bytes it always wrote
    back = CloudEvent.from_json(raw)
    assert back == envelope
    assert back.to_json() == raw

    decoded = registry.decode(back)
    latest = registry.latest_version(event_type)
    assert type(decoded) is registry.models()[(event_type, latest)]
    assert decoded.subject == envelope.subject
    if version == latest:
        assert decoded == example_payload(*key)


def test_example_envelopes_are_stable_between_calls() -> None:
    # The AsyncAPI document embeds them, and it must be reproducible byte for byte.
    keys = [key for key in registry.models() if key in EXAMPLES]
    assert [example_envelope(*k).to_json() for k in keys] == [example_envelope(*k).to_json() for k in keys]
    assert len({example_envelope(*k).id for k in keys}) == len(keys)


def _float_paths(value: Any, path: str) -> list[str]:
    if isinstance(value, float):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _float_paths(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _float_paths(v, f"{path}[{i}]")]
    return []
