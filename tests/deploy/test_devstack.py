"""`make run` (deploy/devstack/devstack.py) starts each worker a service's command line has: the
commands it reads from each service's --help are the ones the code defines."""

from __future__ import annotations

import importlib.util

import pytest
from servicekit.cli import build_cli
from typer.testing import CliRunner

from .code_facts import ROOT, SERVICES, cli_commands

spec = importlib.util.spec_from_file_location("devstack", ROOT / "deploy/devstack/devstack.py")
assert spec is not None
assert spec.loader is not None
devstack = importlib.util.module_from_spec(spec)
spec.loader.exec_module(devstack)


@pytest.mark.parametrize("name", SERVICES)
def test_the_devstack_reads_a_services_commands_from_its_help(name: str) -> None:
    cli = build_cli(importlib.import_module(f"{name}.entrypoints.cli").DEFINITION)
    help_text = CliRunner().invoke(cli, ["--help"], env={"COLUMNS": "80"}).output
    assert devstack._commands(help_text) == cli_commands(name)
    assert set(devstack.WORKERS[name]) <= cli_commands(name)
