"""The size limits of product code: no file over 400 lines, no function over 60 lines.

Product code is every Python module of the packages (contracts, kernel, servicekit and the services);
migrations, tests, benchmarks and scripts are aside. Run by ``make lint``; exits 1 listing offenders.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["contracts/incentive_contracts", "kernel/incentive_kernel", "services/*/*"]
ASIDE = {"tests", "testing", "migrations", "benchmarks"}
# Offenders another change is splitting right now: reported as waived, not failed. Remove an entry
# the moment that change lands (the check then holds the file to the limits again).
WAIVED: dict[str, str] = {}


def product_files(root: Path = ROOT) -> Iterator[Path]:
    """The modules of every package (a directory with ``__init__.py``), tests and migrations aside."""
    for pattern in PACKAGES:
        for package in sorted(root.glob(pattern)):
            if not (package / "__init__.py").exists() or package.name in ASIDE:
                continue
            for path in sorted(package.rglob("*.py")):
                if not ASIDE.intersection(path.relative_to(root).parts):
                    yield path


def offences(path: Path, root: Path = ROOT) -> Iterator[str]:
    """Each limit the module breaks, as ``path:line: what``."""
    text = path.read_text()
    name = path.relative_to(root)
    lines = len(text.splitlines())
    if lines > MAX_FILE_LINES:
        yield f"{name}:1: {lines} lines (at most {MAX_FILE_LINES})"
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - first + 1
            if length > MAX_FUNCTION_LINES:
                yield f"{name}:{node.lineno}: function {node.name} has {length} lines (at most {MAX_FUNCTION_LINES})"


def main(argv: list[str]) -> int:
    found: list[str] = []
    for path in product_files():
        waiver = WAIVED.get(str(path.relative_to(ROOT)))
        for offence in offences(path):
            if waiver:
                print(f"{offence} [waived: {waiver}]", file=sys.stderr)
            else:
                found.append(offence)
    for offence in found:
        print(offence)
    if found:
        print(f"{len(found)} over the limits", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
