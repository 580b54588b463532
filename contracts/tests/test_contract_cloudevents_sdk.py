"""A stock CloudEvents SDK (cloudevents 2.2) reads every event we emit, and we read what it writes.

The record is read the way the relay sends it: structured mode, value = the JSON, key = the
partner id, header ``content-type: application/cloudevents+json``.
"""

from __future__ import annotations

from cloudevents.core.bindings.kafka import KafkaMessage, from_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.v1.http import from_json as legacy_from_json
from contract_support import each_event, example_or_fail
from incentive_contracts import registry
from incentive_contracts.envelope import CloudEvent
from incentive_contracts.examples import example_envelope

EXTENSIONS = ("partitionkey", "sequence", "correlationid", "causationid")


def _kafka_record(envelope: CloudEvent) -> KafkaMessage:
    return KafkaMessage(
        headers={"content-type": b"application/cloudevents+json"},
        key=envelope.partitionkey.encode(),
        value=envelope.to_json(),
    )


@each_event
def test_sdk_reads_the_kafka_record_with_the_same_attributes(key: tuple[str, int]) -> None:
    example_or_fail(key)
    ours = example_envelope(*key)
    theirs = from_structured(_kafka_record(ours), JSONFormat())
    assert theirs.get_specversion() == "1.0"
    assert theirs.get_id() == ours.id
    assert theirs.get_type() == ours.type
    assert theirs.get_source() == ours.source
    assert theirs.get_subject() == ours.subject
    assert theirs.get_time() == ours.time
    assert theirs.get_dataschema() == ours.dataschema
    assert theirs.get_datacontenttype() == "application/json"
    assert theirs.get_data() == ours.data
    for name in EXTENSIONS:
        assert theirs.get_extension(name) == getattr(ours, name), name


@each_event
def test_sdk_reads_the_extensions_from_the_json_itself(key: tuple[str, int]) -> None:
    # Without the record key, so partitionkey must come from the JSON, not from the binding.
    example_or_fail(key)
    ours = example_envelope(*key)
    theirs = JSONFormat().read(None, ours.to_json())
    assert {n: theirs.get_extension(n) for n in EXTENSIONS} == {n: getattr(ours, n) for n in EXTENSIONS}
    assert theirs.get_extension("partitionkey") == ours.subject


@each_event
def test_legacy_sdk_api_reads_it_too(key: tuple[str, int]) -> None:
    example_or_fail(key)
    ours = example_envelope(*key)
    theirs = legacy_from_json(ours.to_json())
    assert (theirs["id"], theirs["type"], theirs["source"], theirs["subject"]) == (
        ours.id,
        ours.type,
        ours.source,
        ours.subject,
    )
    assert {n: theirs[n] for n in EXTENSIONS} == {n: getattr(ours, n) for n in EXTENSIONS}
    assert theirs.get_data() == ours.data


@each_event
def test_we_read_what_the_sdk_writes(key: tuple[str, int]) -> None:
    example_or_fail(key)
    ours = example_envelope(*key)
    rewritten = JSONFormat().write(from_structured(_kafka_record(ours), JSONFormat()))
    back = CloudEvent.from_json(rewritten)
    assert back == ours
    assert registry.decode(back) == registry.decode(ours)
