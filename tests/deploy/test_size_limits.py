"""scripts/check_limits.py (run by make lint): product files at most 400 lines, functions at most 60,
tests, migrations and benchmarks aside; the repository keeps to it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from .code_facts import ROOT


def _check_limits() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_limits", ROOT / "scripts" / "check_limits.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _package(tmp_path: Path, module: str) -> Path:
    package = tmp_path / "services" / "toy" / "toy"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "thing.py").write_text(module)
    for aside in ("tests", "migrations"):
        (package / aside).mkdir()
        (package / aside / "big.py").write_text("x = 1\n" * 500)
    return package / "thing.py"


def test_a_long_function_and_a_long_file_are_named_and_tests_are_aside(tmp_path: Path) -> None:
    limits = _check_limits()
    body = "".join(f"    x{i} = {i}\n" for i in range(60))
    path = _package(tmp_path, "def short():\n    return 1\n\n\n@decorated\ndef long():\n" + body + "\n" * 350)
    assert list(limits.product_files(tmp_path)) == [tmp_path / "services/toy/toy/__init__.py", path]
    assert list(limits.offences(path, tmp_path)) == [
        "services/toy/toy/thing.py:1: 416 lines (at most 400)",
        "services/toy/toy/thing.py:6: function long has 62 lines (at most 60)",
    ]


def test_the_repository_keeps_to_the_limits() -> None:
    assert _check_limits().main([]) == 0
