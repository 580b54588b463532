"""The AsyncAPI document has the shape of AsyncAPI 3.0 and describes every topic and event.

No PyPI package ships the official AsyncAPI 3.0 JSON Schema, so the structure is checked here:
the 3.0 object fields we use, key patterns, every ``$ref`` resolves, operations reference their
own channel's messages, and message payloads are JSON Schemas that accept the example events.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import yaml
from contract_support import CONTRACTS_DIR, each_event, example_or_fail, key_id
from incentive_contracts import asyncapi, generate, registry, topics
from incentive_contracts.envelope import dataschema_for
from incentive_contracts.examples import example_envelope
from incentive_contracts.producers import service_name, source_for, topic_for
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

KEY = re.compile(r"^[a-zA-Z0-9\.\-_]+$")
ROOT_FIELDS = {"asyncapi", "id", "info", "servers", "defaultContentType", "channels", "operations", "components"}
CHANNEL_FIELDS = {"address", "messages", "title", "summary", "description", "servers", "parameters", "tags",
                  "externalDocs", "bindings"}  # fmt: skip
OPERATION_FIELDS = {"action", "channel", "title", "summary", "description", "security", "tags", "externalDocs",
                    "bindings", "traits", "messages", "reply"}  # fmt: skip
MESSAGE_FIELDS = {"headers", "payload", "correlationId", "contentType", "name", "title", "summary", "description",
                  "tags", "externalDocs", "bindings", "examples", "traits"}  # fmt: skip
DOC_URI = "urn:test:asyncapi"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    # Through YAML and back, exactly as the checked-in file is written (the drift test compares).
    text = generate.dump_yaml(asyncapi.build())
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def test_checked_in_document_is_asyncapi_3() -> None:
    checked_in = yaml.safe_load((CONTRACTS_DIR / "asyncapi.yaml").read_text(encoding="utf-8"))
    assert checked_in["asyncapi"] == "3.0.0"


def test_root_object(doc: dict[str, Any]) -> None:
    assert doc["asyncapi"] == "3.0.0"
    assert set(doc) <= ROOT_FIELDS
    assert isinstance(doc["info"]["title"], str)
    assert isinstance(doc["info"]["version"], str)
    assert doc["defaultContentType"] == "application/cloudevents+json"
    for server in doc["servers"].values():
        assert server["protocol"] == "kafka"
        assert server["host"]


def test_every_reference_resolves(doc: dict[str, Any]) -> None:
    refs = list(_refs(doc))
    assert refs
    for ref in refs:
        assert ref.startswith("#/"), ref
        _resolve(doc, ref)


def test_channels_are_the_topics_keyed_by_partner(doc: dict[str, Any]) -> None:
    channels = doc["channels"]
    assert sorted(c["address"] for c in channels.values()) == sorted(topics.ALL)
    for name, channel in channels.items():
        assert KEY.match(name)
        assert set(channel) <= CHANNEL_FIELDS
        assert channel["bindings"]["kafka"]["topic"] == channel["address"]
        assert "keyed by partner id" in channel["description"]
        for message_name in channel["messages"]:
            assert KEY.match(message_name)


def test_operations_send_from_their_producers_own_channel(doc: dict[str, Any]) -> None:
    operations = doc["operations"]
    for name, operation in operations.items():
        assert KEY.match(name)
        assert set(operation) <= OPERATION_FIELDS
        assert operation["action"] in {"send", "receive"}
        channel_ref = operation["channel"]["$ref"]
        for message in operation["messages"]:
            # AsyncAPI 3.0: an operation's messages must be messages of its channel.
            assert message["$ref"].startswith(channel_ref + "/messages/"), (name, message)
    expected = {"registration", "mdf", "ledger"}
    assert {n.split(".")[0] for n, op in operations.items() if op["action"] == "send"} >= expected


@each_event
def test_every_registered_event_has_a_message_on_its_topic(doc: dict[str, Any], key: tuple[str, int]) -> None:
    event_type, version = key
    name = asyncapi.message_key(event_type, version)
    message = doc["components"]["messages"][name]
    assert set(message) <= MESSAGE_FIELDS
    assert message["name"] == event_type
    assert message["contentType"] == "application/cloudevents+json"
    assert message["bindings"]["kafka"]["key"]["type"] == "string"
    pinned = message["payload"]["allOf"][1]["properties"]
    assert pinned["type"] == {"const": event_type}
    assert pinned["dataschema"] == {"const": dataschema_for(event_type, version)}
    channel = doc["channels"][asyncapi.channel_key(topic_for(event_type))]
    assert channel["messages"][name] == {"$ref": f"#/components/messages/{name}"}


def test_producers_send_the_latest_version_of_each_of_their_events(doc: dict[str, Any]) -> None:
    for event_type in {t for t, _ in registry.models()}:
        operation = doc["operations"][f"{service_name(source_for(event_type))}.send"]
        sent = {m["$ref"].rsplit("/", 1)[-1] for m in operation["messages"]}
        latest = asyncapi.message_key(event_type, registry.latest_version(event_type))
        assert latest in sent, f"{latest} missing from {service_name(source_for(event_type))}.send"
        older = {asyncapi.message_key(event_type, v) for t, v in registry.models() if t == event_type} - {latest}
        assert not older & sent, f"producers emit only the latest version of {event_type}"


def test_the_given_producers_own_their_events() -> None:
    assert source_for("deal.won") == source_for("partner.enrolled") == source_for("engagement.recorded")
    assert source_for("deal.won") == "/registration"
    assert source_for("mdf.allocated") == "/mdf"
    assert source_for("ledger.entry_posted") == source_for("partner.tier_changed") == "/ledger"


def test_schemas_are_valid_json_schema(doc: dict[str, Any]) -> None:
    # AsyncAPI's default schema format is a superset of JSON Schema draft 7.
    for schema in doc["components"]["schemas"].values():
        Draft7Validator.check_schema(schema)
    for message in doc["components"]["messages"].values():
        Draft7Validator.check_schema(message["payload"])
        Draft7Validator.check_schema(message.get("headers", {}))


@each_event
def test_message_payload_accepts_the_example_event(doc: dict[str, Any], key: tuple[str, int]) -> None:
    example_or_fail(key)
    event = orjson.loads(example_envelope(*key).to_json())
    assert _payload_validator(doc, asyncapi.message_key(*key)).is_valid(event)
    embedded = doc["components"]["messages"][asyncapi.message_key(*key)]["examples"][0]["payload"]
    assert embedded == event


def test_message_payload_pins_type_and_version(doc: dict[str, Any]) -> None:
    v2 = orjson.loads(example_envelope("deal.won", 2).to_json())
    assert _payload_validator(doc, "deal.won.v2").is_valid(v2)
    assert not _payload_validator(doc, "deal.won.v1").is_valid(v2), key_id(("deal.won", 1))
    assert not _payload_validator(doc, "deal.lost.v1").is_valid(v2)
    floated = v2 | {"data": v2["data"] | {"amount": {"amount": 120000.0, "currency": "EUR"}}}
    assert not _payload_validator(doc, "deal.won.v2").is_valid(floated)


def _payload_validator(doc: dict[str, Any], message: str) -> Draft7Validator:
    store = Registry().with_resource(DOC_URI, DRAFT7.create_resource(doc))
    return Draft7Validator({"$ref": f"{DOC_URI}#/components/messages/{message}/payload"}, registry=store)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            elif key != "examples":
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    node: Any = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict), f"unresolved $ref {ref}"
        assert part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node
