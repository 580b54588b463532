"""What the code says about each service: settings (env names, defaults, secrets), CLI commands.

The deployment tests compare docker-compose.yml, the Dockerfiles and deploy/k8s against these
facts, read from the code itself (the Settings classes, the Typer CLIs, the pyprojects).
"""

from __future__ import annotations

import importlib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import typer
from incentive_contracts import topics
from pydantic import SecretStr
from servicekit.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("ledger", "registration", "mdf", "insights")
# The long-running worker of each service besides its relay, as (process name, CLI command).
WORKERS = {
    "ledger": ("projector", "projector"),
    "registration": ("consumer", "consume"),
    "mdf": ("consumer", "consume"),
    "insights": ("consumer", "consume"),
}
# Single-leader workers beyond those (process name, CLI command): an advisory lock elects one.
LEADER_WORKERS: dict[str, tuple[tuple[str, str], ...]] = {
    "registration": (("crm-sync", "crm-sync"),),
}
# Settings that carry credentials: never in a ConfigMap, always from a Secret.
CREDENTIAL_FIELDS = {"database_url"}
TOPICS = {topics.REGISTRATION, topics.MDF, topics.LEDGER, topics.INSIGHTS, topics.DEAD_LETTER}


@dataclass(frozen=True)
class ServiceFacts:
    name: str
    settings_class: type[ServiceSettings]
    console_scripts: frozenset[str]

    @property
    def commands(self) -> frozenset[str]:
        """The subcommands of the service's console script (imports the whole service)."""
        return cli_commands(self.name)

    @property
    def prefix(self) -> str:
        return str(self.settings_class.model_config.get("env_prefix", ""))

    @property
    def env_names(self) -> set[str]:
        return {self.env(field) for field in self.settings_class.model_fields}

    @property
    def secret_env_names(self) -> set[str]:
        """Variables that must come from a Secret: SecretStr fields and credential-bearing URLs."""
        return {
            self.env(name)
            for name, field in self.settings_class.model_fields.items()
            if name in CREDENTIAL_FIELDS or "SecretStr" in repr(field.annotation) or field.annotation is SecretStr
        }

    @property
    def http_port(self) -> int:
        return int(self.settings_class.model_fields["http_port"].default)

    def env(self, field: str) -> str:
        return f"{self.prefix}{field}".upper()

    def default(self, field: str) -> object:
        return self.settings_class.model_fields[field].default


@cache
def service(name: str) -> ServiceFacts:
    config = importlib.import_module(f"{name}.config")
    classes = [
        value
        for value in vars(config).values()
        if isinstance(value, type) and issubclass(value, ServiceSettings) and value is not ServiceSettings
    ]
    assert len(classes) == 1, f"{name}.config should define exactly one settings class, found {classes}"
    pyproject = tomllib.loads((ROOT / "services" / name / "pyproject.toml").read_text())
    return ServiceFacts(name, classes[0], frozenset(pyproject["project"].get("scripts", {})))


@cache
def cli_commands(name: str) -> frozenset[str]:
    from servicekit.cli import build_cli

    cli_module = importlib.import_module(f"{name}.entrypoints.cli")
    group = typer.main.get_command(build_cli(cli_module.DEFINITION))
    return frozenset(getattr(group, "commands", {}))


def service_or_skip(name: str, *, with_cli: bool = False) -> ServiceFacts:
    """The service's facts; skips the calling test while the service has no settings (or CLI) yet."""
    import pytest

    try:
        facts = service(name)
        if with_cli:
            cli_commands(name)
        return facts
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(name):
            pytest.skip(f"{name} is not built yet ({exc.name} is missing)")
        raise
