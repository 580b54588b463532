"""docker-compose.yml (which cannot run here: no Docker engine) agrees with the code's settings."""

from __future__ import annotations

import base64
import re
from urllib.parse import urlsplit

import pytest
from servicekit.kafka import make_producer
from servicekit.settings import DEV_TOKEN_SECRET

from .code_facts import LEADER_WORKERS, ROOT, SERVICES, WORKERS, service_or_skip
from .manifests import (
    APP_IMAGE_PREFIX,
    KAFKA,
    compose,
    find,
    flag_values,
    interpolate,
    pod_containers,
    provisioning_commands,
    rendered,
)

INFRA = {"postgres", "kafka", "kafka-topics"}
ONE_SHOTS = {"kafka-topics"} | {f"{s}-migrate" for s in SERVICES}


def app_services(service: str) -> dict[str, str]:
    """Compose service name -> the CLI command it runs."""
    worker, command = WORKERS[service]
    return {
        f"{service}-migrate": "migrate",
        f"{service}-api": "api",
        f"{service}-relay": "relay",
        f"{service}-{worker}": command,
        **{f"{service}-{name}": cmd for name, cmd in LEADER_WORKERS.get(service, ())},
    }


def test_the_stack_has_infrastructure_and_every_process_of_every_service() -> None:
    expected = INFRA | {name for s in SERVICES for name in app_services(s)}
    assert set(compose()["services"]) == expected


@pytest.mark.parametrize("service", SERVICES)
def test_service_containers_build_the_service_image_and_run_its_commands(service: str) -> None:
    facts = service_or_skip(service, with_cli=True)
    services = compose()["services"]
    for name, command in app_services(service).items():
        spec = services[name]
        assert spec["build"]["context"] == "."
        assert spec["build"]["dockerfile"] == "services/Dockerfile"
        assert spec["build"]["args"] == {
            "SERVICE": service,
            "HTTP_PORT": str(facts.http_port),
            "HTTP_PORT_VARIABLE": facts.env("http_port"),
        }
        assert spec["image"].startswith(f"{APP_IMAGE_PREFIX}{service}:")
        assert spec["command"] == [command]
        assert command in facts.commands, f"{service} has no `{command}` command"


@pytest.mark.parametrize("service", SERVICES)
def test_environment_is_the_service_settings_and_loads_in_production_mode(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts = service_or_skip(service)
    for name in app_services(service):
        env = compose()["services"][name]["environment"]
        assert set(env) <= facts.env_names, f"{name}: {sorted(set(env) - facts.env_names)} are not settings"
        for variable in ("environment", "database_url", "kafka_bootstrap_servers", "token_secret"):
            assert facts.env(variable) in env, f"{name} lacks {facts.env(variable)}"
    env = {k: interpolate(str(v)) for k, v in compose()["services"][f"{service}-api"]["environment"].items()}
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    settings = facts.settings_class()

    assert settings.environment == "production", "the compose stack is production-like"
    assert settings.token_secret.get_secret_value() != DEV_TOKEN_SECRET
    assert settings.http_port == facts.http_port
    assert settings.kafka_idempotent_producer is True, "real Kafka: idempotent producer"


async def test_the_compose_settings_give_an_idempotent_acks_all_producer(monkeypatch: pytest.MonkeyPatch) -> None:
    facts = service_or_skip("ledger")
    for key, value in compose()["services"]["ledger-relay"]["environment"].items():
        monkeypatch.setenv(key, interpolate(str(value)))

    producer = make_producer(facts.settings_class())
    try:
        assert producer._sender._acks == -1, "acks=all"
        assert producer._txn_manager is not None, "the idempotent producer is on"
    finally:
        await producer.stop()


@pytest.mark.parametrize("service", SERVICES)
def test_api_is_published_on_the_settings_port_and_checks_readiness(service: str) -> None:
    facts = service_or_skip(service)
    api = compose()["services"][f"{service}-api"]
    assert api["ports"] == [f"{facts.http_port}:{facts.http_port}"]
    assert api["environment"][facts.env("http_port")] == str(facts.http_port)
    probe = " ".join(api["healthcheck"]["test"])
    assert f"http://127.0.0.1:{facts.http_port}/readyz" in probe


def test_long_running_containers_have_health_checks_and_one_shots_do_not_restart() -> None:
    for name, spec in compose()["services"].items():
        if name in ONE_SHOTS:
            assert spec["restart"] == "no", name
        else:
            assert spec["restart"] == "unless-stopped", name
            assert spec["healthcheck"]["test"], name
            assert not spec["healthcheck"].get("disable"), name


@pytest.mark.parametrize("service", SERVICES)
def test_start_order_waits_for_healthy_servers_topics_and_migrations(service: str) -> None:
    services = compose()["services"]
    assert services["kafka-topics"]["depends_on"] == {"kafka": {"condition": "service_healthy"}}
    assert services[f"{service}-migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name, command in app_services(service).items():
        if command == "migrate":
            continue
        assert services[name]["depends_on"] == {
            f"{service}-migrate": {"condition": "service_completed_successfully"},
            "kafka-topics": {"condition": "service_completed_successfully"},
        }, name


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_its_own_database_and_role_created_at_init(service: str) -> None:
    facts = service_or_skip(service)
    url = urlsplit(interpolate(compose()["services"][f"{service}-api"]["environment"][facts.env("database_url")]))
    assert (url.hostname, url.port, url.path, url.username) == ("postgres", 5432, f"/{service}", service)
    init = interpolate(compose()["configs"]["postgres-init"]["content"])
    assert f"CREATE ROLE {service} LOGIN PASSWORD '{url.password}';" in init
    assert f"CREATE DATABASE {service} OWNER {service};" in init
    mounts = compose()["services"]["postgres"]["configs"]
    assert {"source": "postgres-init", "target": "/docker-entrypoint-initdb.d/10-databases.sql"} in mounts


def test_kafka_is_the_official_image_in_kraft_mode() -> None:
    kafka = compose()["services"]["kafka"]
    env = kafka["environment"]
    assert kafka["image"].startswith("apache/kafka:")
    assert not kafka["image"].endswith(":latest")
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    assert not any("zookeeper" in key.lower() for key in env)
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false", "topics come from the provisioning script"


@pytest.mark.parametrize("service", SERVICES)
def test_services_reach_kafka_and_agree_with_the_provisioned_topic_layout(service: str) -> None:
    facts = service_or_skip(service)
    topics_job = compose()["services"]["kafka-topics"]
    env = compose()["services"][f"{service}-api"]["environment"]
    assert env[facts.env("kafka_bootstrap_servers")] == topics_job["environment"]["BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env[facts.env("topic_partitions")] == topics_job["environment"]["PARTITIONS"]
    assert env[facts.env("topic_replication_factor")] == topics_job["environment"]["REPLICATION_FACTOR"]
    assert env[facts.env("topic_prefix")] == topics_job["environment"]["TOPIC_PREFIX"]


def test_topic_one_shot_runs_the_provisioning_script_with_one_brokers_numbers() -> None:
    job = compose()["services"]["kafka-topics"]
    assert job["image"] == compose()["services"]["kafka"]["image"]
    assert job["volumes"] == ["./deploy/kafka:/deploy/kafka:ro"]
    script = job["entrypoint"][-1]
    assert script == "/deploy/kafka/create-topics.sh"
    assert (KAFKA / "create-topics.sh").is_file()
    commands = provisioning_commands(**{k: str(v) for k, v in job["environment"].items()})
    creates = [c for c in commands if "--create" in c]
    assert len(creates) == 5  # every topic of incentive_contracts.topics.ALL (insights added the fifth)
    for create in creates:
        assert flag_values(create, "--partitions") == [job["environment"]["PARTITIONS"]]
        assert flag_values(create, "--replication-factor") == ["1"]
        assert "min.insync.replicas=1" in flag_values(create, "--config")


def test_compose_file_names_no_path_that_does_not_exist() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    for path in set(re.findall(r"(?:\./)?((?:services|deploy)/[\w./-]+)", text)):
        assert (ROOT / path.rstrip("/")).exists(), path


def kraft_cluster_ids() -> list[str]:
    dev_kafka = find(rendered("dev"), "StatefulSet", "kafka")
    (container,) = pod_containers(dev_kafka)
    dev_env = {e["name"]: e["value"] for e in container["env"]}
    return [compose()["services"]["kafka"]["environment"]["CLUSTER_ID"], dev_env["CLUSTER_ID"]]


@pytest.mark.parametrize("cluster_id", kraft_cluster_ids())
def test_kraft_cluster_ids_are_base64_uuids_as_kafka_storage_format_requires(cluster_id: str) -> None:
    assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16
    assert len(cluster_id) == 22
