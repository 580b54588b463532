"""deploy/k8s renders to valid Kubernetes objects that agree with the code and docker-compose.yml."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest

from .code_facts import SERVICES, WORKERS, service_or_skip
from .kustomize import split_image
from .manifests import (
    APP_IMAGE_PREFIX,
    OVERLAYS,
    app_service_of,
    app_workloads,
    compose,
    config_data,
    container_env,
    find,
    interpolate,
    k8s_process_names,
    pod_containers,
    pod_of,
    rendered,
    strimzi_topics,
)

KUBERNETES_VERSION = "1.32.0"
# Settings that differ between docker-compose.yml and a cluster by design; all others must agree.
ENVIRONMENT_SPECIFIC = (
    "environment",
    "kafka_bootstrap_servers",
    "topic_partitions",
    "topic_replication_factor",
    "log_level",
    "database_pool_size",
    "mdf_url",  # the peers' addresses: compose service names, in-cluster Service names
    "registration_url",
    "ledger_url",  # (insights reads the ledger too)
    "governance_url",
)
REQUIRED_SETTINGS = ("environment", "database_url", "kafka_bootstrap_servers", "token_secret", "http_port")


def _by_name(overlay: str, kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in rendered(overlay) if o["kind"] == kind}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_validates_against_the_kubernetes_schemas(overlay: str) -> None:
    objects = rendered(overlay)
    assert len(objects) > 20
    for obj in objects:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_its_processes_running_its_cli_commands(overlay: str, service: str) -> None:
    facts = service_or_skip(service, with_cli=True)
    objects = rendered(overlay)
    assert service in facts.console_scripts, "the image's ENTRYPOINT is the console script named after the service"
    for name, command in k8s_process_names(service).items():
        kind = "Job" if command == "migrate" else "Deployment"
        (container,) = pod_containers(find(objects, kind, name))
        assert container["args"] == [command], name
        image, tag, _ = split_image(container["image"])
        assert image.endswith(APP_IMAGE_PREFIX + service), container["image"]
        assert tag, f"{name}: the image tag must be pinned"
        assert tag != "latest", f"{name}: the image tag must be pinned"
        assert command in facts.commands, f"{service} has no `{command}` command (has {sorted(facts.commands)})"


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_environment_names_are_the_service_settings(overlay: str, service: str) -> None:
    facts = service_or_skip(service)
    objects = rendered(overlay)
    for workload in app_workloads(objects):
        if app_service_of(workload) != service:
            continue
        for container in pod_containers(workload):
            env = container_env(objects, container)
            unknown = set(env) - facts.env_names
            assert not unknown, f"{workload['metadata']['name']}: {sorted(unknown)} are not {service} settings"
            missing = {facts.env(f) for f in REQUIRED_SETTINGS} - set(env)
            assert not missing, f"{workload['metadata']['name']}: missing {sorted(missing)}"


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_secrets_are_referenced_never_inlined(overlay: str, service: str) -> None:
    facts = service_or_skip(service)
    objects = rendered(overlay)
    assert not [o for o in objects if o["kind"] == "Secret"], "Secret values never live in the manifests"
    assert not facts.secret_env_names & set(config_data(objects, service)), "secrets never sit in a ConfigMap"
    for workload in app_workloads(objects):
        if app_service_of(workload) != service:
            continue
        for container in pod_containers(workload):
            entries = {e["name"]: e for e in container.get("env", [])}
            for name in facts.secret_env_names:
                assert name in entries, f"{workload['metadata']['name']} lacks {name}"
                ref = entries[name].get("valueFrom", {}).get("secretKeyRef")
                assert ref, f"{name} must come from a secretKeyRef"
                assert ref["name"] == f"{service}-secrets", f"{name} must come from {service}-secrets"
                assert "value" not in entries[name]


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_api_port_and_probes_match_the_code_and_compose(overlay: str, service: str) -> None:
    facts = service_or_skip(service)
    objects = rendered(overlay)
    (api,) = pod_containers(find(objects, "Deployment", f"{service}-api"))
    (port,) = api["ports"]
    assert port["containerPort"] == facts.http_port
    assert config_data(objects, service)[facts.env("http_port")] == str(facts.http_port)
    assert f"{facts.http_port}:{facts.http_port}" in compose()["services"][f"{service}-api"]["ports"]
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz"), ("startupProbe", "/healthz")):
        http = api[probe]["httpGet"]
        assert http["path"] == path
        assert http["port"] in (port["name"], port["containerPort"])
    service_object = find(objects, "Service", service)
    api_labels = pod_labels(find(objects, "Deployment", f"{service}-api"))
    assert service_object["spec"]["selector"].items() <= api_labels.items()
    assert service_object["spec"]["ports"][0]["port"] == facts.http_port


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workers_and_jobs_serve_no_http_so_have_no_http_probes(overlay: str) -> None:
    for workload in app_workloads(rendered(overlay)):
        if workload["metadata"]["name"].endswith("-api"):
            continue
        for container in pod_containers(workload):
            assert not container.get("ports")
            assert not any(p in container for p in ("readinessProbe", "startupProbe"))
            liveness = container.get("livenessProbe")
            if workload["kind"] != "Deployment":
                assert liveness is None, "jobs run to completion: no liveness probe"
                continue
            # Long-running workers prove their loop turns through the heartbeat file.
            service = app_service_of(workload)
            env = {e["name"]: e.get("value") for e in container["env"]}
            path = env[f"{service.upper()}_HEARTBEAT_PATH"]
            assert liveness["exec"]["command"][:4] == ["python", "-m", "servicekit.alive", path]
            assert "httpGet" not in liveness


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_has_requests_and_limits(overlay: str) -> None:
    for obj in rendered(overlay):
        for container in pod_containers(obj):
            resources = container.get("resources", {})
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(kind, {})), f"{obj['metadata']['name']}: {kind}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_app_pods_run_as_non_root_with_a_read_only_root_filesystem(overlay: str) -> None:
    for workload in app_workloads(rendered(overlay)):
        pod = pod_of(workload)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 10001, "the USER of the Dockerfiles"
        assert pod["automountServiceAccountToken"] is False
        for container in pod_containers(workload):
            ctx = container["securityContext"]
            assert ctx["readOnlyRootFilesystem"] is True
            assert ctx["allowPrivilegeEscalation"] is False
            assert ctx["capabilities"]["drop"] == ["ALL"]


def pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    return dict(workload["spec"]["template"]["metadata"]["labels"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_has_a_disruption_budget_and_every_api_an_autoscaler(overlay: str) -> None:
    objects = rendered(overlay)
    budgets = [o for o in objects if o["kind"] == "PodDisruptionBudget"]
    autoscalers = _by_name(overlay, "HorizontalPodAutoscaler")
    for deployment in (o for o in objects if o["kind"] == "Deployment"):
        name = deployment["metadata"]["name"]
        labels = pod_labels(deployment)
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
        covering = [b for b in budgets if b["spec"]["selector"]["matchLabels"].items() <= labels.items()]
        assert len(covering) == 1, f"{name}: {len(covering)} disruption budgets"
        if name.endswith("-api"):
            assert "replicas" not in deployment["spec"], f"{name}: the autoscaler owns the replica count"
            target = autoscalers[name]["spec"]
            assert target["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
            assert 1 <= target["minReplicas"] <= target["maxReplicas"]
    assert len(autoscalers) == len(SERVICES)


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_consumer_replicas_are_tied_to_the_partition_count(overlay: str, service: str) -> None:
    facts = service_or_skip(service)
    objects = rendered(overlay)
    partitions = int(config_data(objects, service)[facts.env("topic_partitions")])
    worker, _ = WORKERS[service]
    replicas = find(objects, "Deployment", f"{service}-{worker}")["spec"]["replicas"]
    assert 1 <= replicas <= partitions, "members beyond the partition count would sit idle"
    assert partitions % replicas == 0, "an uneven split gives some members more of the hot topic"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_all_services_agree_on_the_topic_layout(overlay: str) -> None:
    objects = rendered(overlay)
    layouts = set()
    for service in SERVICES:
        data = config_data(objects, service)
        prefix = service.upper() + "_"
        layouts.add(tuple(data[prefix + k] for k in ("TOPIC_PREFIX", "TOPIC_PARTITIONS", "TOPIC_REPLICATION_FACTOR")))
    assert len(layouts) == 1, layouts


def test_prod_matches_the_provisioned_topics_and_uses_the_idempotent_producer() -> None:
    objects = rendered("prod")
    topic_partitions = {t["spec"]["partitions"] for t in strimzi_topics()}
    topic_replicas = {t["spec"]["replicas"] for t in strimzi_topics()}
    for service in SERVICES:
        data = config_data(objects, service)
        prefix = service.upper() + "_"
        assert {int(data[prefix + "TOPIC_PARTITIONS"])} == topic_partitions
        assert {int(data[prefix + "TOPIC_REPLICATION_FACTOR"])} == topic_replicas == {3}
        assert data[prefix + "ENVIRONMENT"] == "production"
        assert data[prefix + "KAFKA_IDEMPOTENT_PRODUCER"] == "true"


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_the_same_settings_are_configured_as_in_docker_compose(overlay: str, service: str) -> None:
    facts = service_or_skip(service)
    objects = rendered(overlay)
    (api,) = pod_containers(find(objects, "Deployment", f"{service}-api"))
    k8s_env = container_env(objects, api)
    compose_env = compose()["services"][f"{service}-api"]["environment"]
    assert set(k8s_env) == set(compose_env)
    for name, value in config_data(objects, service).items():
        if name in {facts.env(f) for f in ENVIRONMENT_SPECIFIC}:
            continue
        assert value == interpolate(str(compose_env[name])), f"{name} differs from docker-compose.yml"


@pytest.mark.parametrize("service", SERVICES)
def test_migration_job_runs_once_per_release_before_the_rollout(service: str) -> None:
    job = find(rendered("prod"), "Job", f"{service}-migrate")
    assert pod_of(job)["restartPolicy"] == "Never"
    assert job["spec"]["backoffLimit"] >= 1
    assert job["spec"]["ttlSecondsAfterFinished"] > 0


@pytest.mark.parametrize("service", SERVICES)
def test_prod_configuration_starts_the_service_in_production_mode(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ConfigMap plus the referenced Secret keys (filled with stand-ins) pass production validation."""
    facts = service_or_skip(service)
    objects = rendered("prod")
    (api,) = pod_containers(find(objects, "Deployment", f"{service}-api"))
    for name, value in container_env(objects, api).items():
        if isinstance(value, dict):
            ref = value["secretKeyRef"]
            if ref.get("optional"):
                continue
            value = f"stand-in-for-{ref['key']}-" + "x" * 32
        monkeypatch.setenv(name, value)

    settings = facts.settings_class()

    assert settings.environment == "production"
    assert settings.kafka_idempotent_producer is True
    assert settings.topic_replication_factor == 3


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_registration_expires_stale_registrations_daily_with_its_cli(overlay: str) -> None:
    facts = service_or_skip("registration", with_cli=True)
    cron = find(rendered(overlay), "CronJob", "registration-expire")
    (container,) = pod_containers(cron)
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert container["command"][:2] == ["/bin/sh", "-c"]
    assert container["command"][2].startswith("exec registration expire --as-of ")
    assert "expire" in facts.commands


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_ledger_reconciles_the_services_hourly_with_its_cli(overlay: str) -> None:
    facts = service_or_skip("ledger", with_cli=True)
    objects = rendered(overlay)
    cron = find(objects, "CronJob", "ledger-reconcile")
    (container,) = pod_containers(cron)
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert container["args"][0] == "reconcile"
    assert "reconcile" in facts.commands
    # Exit 1 (differences found) fails the Job at once; only an unreadable service (exit 2) is retried.
    (rule,) = cron["spec"]["jobTemplate"]["spec"]["podFailurePolicy"]["rules"]
    assert (rule["action"], rule["onExitCodes"]["values"]) == ("FailJob", [1])
    env = container_env(objects, container)
    assert {facts.env("mdf_url"), facts.env("registration_url")} <= set(env)
    for name in (facts.env("mdf_token"), facts.env("registration_token")):
        ref = env[name]["secretKeyRef"]
        assert ref["name"] == "ledger-secrets"
        assert not ref.get("optional"), "the CronJob cannot run without the peers' tokens"
