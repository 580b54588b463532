"""Loading what the deployment files declare: rendered overlays, docker-compose.yml, topic definitions."""

from __future__ import annotations

import copy
import os
import re
import subprocess
from functools import cache
from typing import Any

import yaml

from .code_facts import LEADER_WORKERS, ROOT, SCALED_WORKERS, SERVICES, WORKERS
from .kustomize import Obj, containers_of, pod_spec, render

K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")
KAFKA = ROOT / "deploy" / "kafka"
COMPOSE = ROOT / "docker-compose.yml"
APP_IMAGE_PREFIX = "partner-incentive-ledger/"
_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


@cache
def _rendered(overlay: str) -> tuple[Obj, ...]:
    return tuple(render(K8S / "overlays" / overlay))


def rendered(overlay: str) -> list[Obj]:
    """A fresh copy of the overlay's objects (tests may not mutate the cache)."""
    return copy.deepcopy(list(_rendered(overlay)))


def find(objects: list[Obj], kind: str, name: str) -> Obj:
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def app_service_of(obj: Obj) -> str | None:
    """The service an object belongs to (from its labels), or None for infrastructure."""
    name = obj["metadata"].get("labels", {}).get("app.kubernetes.io/name")
    return name if name in SERVICES else None


def app_workloads(objects: list[Obj]) -> list[Obj]:
    return [o for o in objects if o["kind"] in ("Deployment", "Job", "CronJob") and app_service_of(o)]


def config_data(objects: list[Obj], service: str) -> dict[str, str]:
    return dict(find(objects, "ConfigMap", f"{service}-config")["data"])


def container_env(objects: list[Obj], container: Obj) -> dict[str, Any]:
    """Every variable a container gets: ConfigMaps through envFrom, then its own env entries."""
    env: dict[str, Any] = {}
    for source in container.get("envFrom", []):
        env.update(find(objects, "ConfigMap", source["configMapRef"]["name"])["data"])
    for entry in container.get("env", []):
        env[entry["name"]] = entry.get("value", entry.get("valueFrom"))
    return env


def k8s_process_names(service: str) -> dict[str, str]:
    """Deployment/Job name -> the CLI command it must run."""
    worker, command = WORKERS[service]
    return {
        f"{service}-api": "api",
        f"{service}-relay": "relay",
        f"{service}-{worker}": command,
        f"{service}-migrate": "migrate",
        **{f"{service}-{name}": cmd for name, cmd in LEADER_WORKERS.get(service, ())},
        **{f"{service}-{name}": cmd for name, cmd in SCALED_WORKERS.get(service, ())},
    }


def pod_containers(obj: Obj) -> list[Obj]:
    return containers_of(obj)


def pod_of(obj: Obj) -> Obj:
    spec = pod_spec(obj)
    assert spec is not None
    return spec


@cache
def _compose() -> Obj:
    loaded: Obj = yaml.safe_load(COMPOSE.read_text())
    return loaded


def compose() -> Obj:
    return copy.deepcopy(_compose())


def interpolate(value: str) -> str:
    """Compose's ``${VAR:-default}`` with an empty environment: the default docker compose uses."""
    return _INTERPOLATION.sub(lambda m: m.group(2) or "", value)


def strimzi_topics() -> list[Obj]:
    return [d for d in yaml.safe_load_all((KAFKA / "strimzi-topics.yaml").read_text()) if d]


def provisioning_commands(**env: str) -> list[list[str]]:
    """The commands deploy/kafka/create-topics.sh would run (its DRY_RUN mode), split into words."""
    result = subprocess.run(
        ["sh", str(KAFKA / "create-topics.sh")],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DRY_RUN": "1", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return [line.split() for line in result.stdout.splitlines() if line.strip()]


def flag_values(words: list[str], flag: str) -> list[str]:
    return [words[i + 1] for i, word in enumerate(words[:-1]) if word == flag]
