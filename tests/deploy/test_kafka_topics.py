"""The topic definitions (Strimzi resources and the CLI script) agree with each other and the contracts."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from servicekit.kafka import make_producer
from servicekit.settings import ServiceSettings

from .code_facts import TOPICS
from .manifests import KAFKA, flag_values, provisioning_commands, strimzi_topics

EXPECTED_CONFIG = {
    "cleanup.policy": "delete",
    "retention.ms": "-1",
    "retention.bytes": "-1",
    "min.insync.replicas": "2",
    "unclean.leader.election.enable": "false",
}

# The part of Strimzi's KafkaTopic v1beta2 CRD the manifests use (kubernetes-validate ships only
# the built-in kinds).
KAFKA_TOPIC_SCHEMA = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "kafka.strimzi.io/v1beta2"},
        "kind": {"const": "KafkaTopic"},
        "metadata": {
            "type": "object",
            "required": ["name", "labels"],
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", "maxLength": 253},
                "labels": {
                    "type": "object",
                    "required": ["strimzi.io/cluster"],
                    "additionalProperties": {"type": "string"},
                },
                "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "topicName": {"type": "string"},
                "partitions": {"type": "integer", "minimum": 1},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 32767},
                "config": {
                    "type": "object",
                    "additionalProperties": {"type": ["string", "integer", "number", "boolean"]},
                },
            },
        },
    },
}


def _config_as_strings(config: dict[str, Any]) -> dict[str, str]:
    return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in config.items()}


def test_strimzi_topics_are_well_formed_and_cover_every_contract_topic() -> None:
    topics = strimzi_topics()
    for topic in topics:
        jsonschema.validate(topic, KAFKA_TOPIC_SCHEMA)
    assert {t["spec"]["topicName"] for t in topics} == TOPICS
    assert len({t["metadata"]["labels"]["strimzi.io/cluster"] for t in topics}) == 1


def test_every_topic_keeps_its_history_forever_and_survives_a_broker_loss() -> None:
    for topic in strimzi_topics():
        spec = topic["spec"]
        config = _config_as_strings(spec["config"])
        assert EXPECTED_CONFIG.items() <= config.items(), spec["topicName"]
        assert "compact" not in config["cleanup.policy"], "compaction would drop a partner's history"
        assert spec["replicas"] == 3
        assert int(config["min.insync.replicas"]) == spec["replicas"] - 1


def test_the_script_defaults_are_the_strimzi_definitions() -> None:
    commands = provisioning_commands()
    creates = [c for c in commands if "--create" in c]
    alters = [c for c in commands if "--alter" in c]
    by_name = {t["spec"]["topicName"]: t["spec"] for t in strimzi_topics()}
    assert {flag_values(c, "--topic")[0] for c in creates} == set(by_name)
    for create in creates:
        spec = by_name[flag_values(create, "--topic")[0]]
        assert flag_values(create, "--partitions") == [str(spec["partitions"])]
        assert flag_values(create, "--replication-factor") == [str(spec["replicas"])]
        assert dict(c.split("=", 1) for c in flag_values(create, "--config")) == _config_as_strings(spec["config"])
        assert "--if-not-exists" in create, "re-running the script is safe"
    for alter in alters:
        spec = by_name[flag_values(alter, "--entity-name")[0]]
        asserted = dict(c.split("=", 1) for c in flag_values(alter, "--add-config")[0].split(","))
        assert asserted == _config_as_strings(spec["config"]), "configs are re-asserted on existing topics"


def test_the_script_honours_a_prefix_and_a_client_config() -> None:
    commands = provisioning_commands(TOPIC_PREFIX="staging.", COMMAND_CONFIG="/etc/kafka/client.properties")
    names = {flag_values(c, "--topic")[0] for c in commands if "--create" in c}
    assert names == {f"staging.{t}" for t in TOPICS}
    assert all(flag_values(c, "--command-config") == ["/etc/kafka/client.properties"] for c in commands)


def max_message_bytes() -> int:
    (value,) = {int(t["spec"]["config"]["max.message.bytes"]) for t in strimzi_topics()}
    return value


@pytest.mark.parametrize(
    ("key", "value"),
    [("acks", "all"), ("enable.idempotence", "true"), ("max.in.flight.requests.per.connection", "5")],
)
def test_producer_properties_for_a_real_cluster(key: str, value: str) -> None:
    lines = (KAFKA / "producer.properties").read_text().splitlines()
    properties = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    assert properties[key] == value
    assert int(properties["max.request.size"]) <= max_message_bytes()


async def test_the_services_producer_is_acks_all_idempotent_and_fits_the_topic_limit() -> None:
    producer = make_producer(ServiceSettings(kafka_idempotent_producer=True))
    try:
        assert producer._sender._acks == -1
        assert producer._txn_manager is not None
        assert producer._max_request_size <= max_message_bytes()
    finally:
        await producer.stop()
