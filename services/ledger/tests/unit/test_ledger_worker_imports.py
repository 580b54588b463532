"""The auditors' worker processes start lean: a spawned worker re-imports the ``ledger`` console
script, and that must not bring in the command line (typer, FastAPI, alembic) with it."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

HEAVY = ("typer", "fastapi", "alembic", "ledger.entrypoints.cli")

# What pip's generated console script does, and a job that reports what its worker had imported.
SCRIPT = """
import asyncio
import sys

from {module} import {attr}  # noqa: F401
from ledger.entrypoints.process_pool import run_in_processes


def loaded(_: int) -> list[str]:
    return [name for name in {heavy!r} if name in sys.modules]


if __name__ == "__main__":
    print(asyncio.run(run_in_processes(loaded, [0], 1, lambda done: None)))
"""


def test_the_console_script_runs_the_ledger_command() -> None:
    (script,) = entry_points(group="console_scripts", name="ledger")
    code = f"import sys; from {script.module} import {script.attr}; sys.argv = ['ledger', '--help']; {script.attr}()"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert all(command in result.stdout for command in ("replay", "verify", "api", "migrate")), result.stdout


def test_a_spawned_worker_does_not_import_the_command_line(tmp_path: Path) -> None:
    (script,) = entry_points(group="console_scripts", name="ledger")
    main = tmp_path / "ledger_console_script.py"
    main.write_text(SCRIPT.format(module=script.module, attr=script.attr, heavy=HEAVY))
    result = subprocess.run([sys.executable, str(main)], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "[[]]", result.stdout + result.stderr


def test_the_probe_sees_a_heavy_main_module(tmp_path: Path) -> None:
    """The same probe from a main module that imports the command line reports it (the test can fail)."""
    main = tmp_path / "heavy_console_script.py"
    main.write_text(SCRIPT.format(module="ledger.entrypoints.cli", attr="main", heavy=HEAVY))
    result = subprocess.run([sys.executable, str(main)], capture_output=True, text=True, check=True, timeout=120)
    assert "fastapi" in result.stdout, result.stdout + result.stderr
