"""The checked-in schemas, AsyncAPI document and README table match the models, and the schemas
accept exactly the wire form of the examples."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from contract_support import CONTRACTS_DIR, each_event, example_or_fail
from incentive_contracts import generate, registry
from incentive_contracts.envelope import dataschema_for
from incentive_contracts.examples import EXAMPLES, example_envelope
from incentive_contracts.jsonschemas import envelope_schema, payload_schema
from jsonschema import Draft202012Validator


def test_checked_in_files_match_the_models() -> None:
    drifted = generate.drift(CONTRACTS_DIR)
    assert not drifted, f"generated contract files drift from the models; run `make schemas`: {drifted}"


def test_check_mode_names_the_drifting_files(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    real_render = generate.render

    def render_with_a_change(readme: str) -> dict[str, str]:
        files = real_render(readme)
        files["schemas/deal.lost.v1.json"] += " "
        return files

    monkeypatch.setattr(generate, "render", render_with_a_change)
    assert generate.main(["--check", "--root", str(CONTRACTS_DIR)]) == 1
    err = capsys.readouterr().err
    assert "schemas/deal.lost.v1.json" in err
    assert "make schemas" in err


def test_generation_is_deterministic() -> None:
    readme = (CONTRACTS_DIR / "README.md").read_text(encoding="utf-8")
    first, second = generate.render(readme), generate.render(readme)
    assert first == second
    assert "&id" not in first["asyncapi.yaml"], "no YAML anchors: every message is spelled out"


def test_every_registered_event_has_a_schema_file_named_after_it() -> None:
    files = generate.render((CONTRACTS_DIR / "README.md").read_text(encoding="utf-8"))
    for event_type, version in registry.models():
        schema = json.loads(files[f"schemas/{event_type}.v{version}.json"])
        assert schema["$id"] == dataschema_for(event_type, version)


def test_readme_catalogue_lists_every_event() -> None:
    table = generate.catalogue_table()
    for event_type, version in registry.models():
        assert f"| `{event_type}` | v{version}" in table


def test_envelope_schema_is_valid_and_accepts_every_example() -> None:
    schema = envelope_schema()
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    for key in registry.models():
        if key in EXAMPLES:  # a missing example fails on its own, naming the event
            validator.validate(orjson.loads(example_envelope(*key).to_json()))


@each_event
def test_payload_schema_is_valid_and_accepts_the_example(key: tuple[str, int]) -> None:
    example = example_or_fail(key)
    schema = payload_schema(registry.models()[key])
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(example.data)


def test_payload_schema_rejects_float_amounts_and_unknown_fields() -> None:
    validator = Draft202012Validator(payload_schema(registry.models()[("deal.won", 2)]))
    data = example_or_fail(("deal.won", 2)).data
    assert validator.is_valid(data)
    assert not validator.is_valid(data | {"amount": {"amount": 120000.0, "currency": "EUR"}})
    assert not validator.is_valid(data | {"amount": {"amount": "120000.00", "currency": "euro"}})
    assert not validator.is_valid(data | {"bonus": "1.00"})
