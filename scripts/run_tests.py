"""Run every test suite (each in its own pytest session) and print one combined total.

Each service keeps its own ``tests`` package and support modules, so the suites are collected
separately; they run one after another, each spread over two workers.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTEST = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup"]
SUITES = [
    "contracts/tests",
    "kernel/tests",
    "services/servicekit/tests",
    "services/registration/tests",
    "services/mdf/tests",
    "services/ledger/tests",
    "services/insights/tests",
    "services/governance/tests",
    "tests --ignore=tests/browser",
    # The console in headless Chromium over `make run`'s stack with the demo data (Debian's chromium).
    "tests/browser",
]


def main(argv: list[str]) -> int:
    extra = argv[1:]
    totals = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    failed_suites: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for suite in SUITES:
            path, *options = suite.split()
            report = Path(tmp) / (path.replace("/", "_") + ".xml")
            print(f"\n=== {suite}", flush=True)
            code = subprocess.call(  # noqa: S603 - our own interpreter and fixed arguments
                [*PYTEST, path, *options, f"--junitxml={report}", *extra],
                cwd=ROOT,
            )
            if code not in (0, 5):
                failed_suites.append(suite)
            if not report.exists():
                totals["errors"] += 1
                continue
            root = ET.parse(report).getroot()  # noqa: S314 - a report pytest just wrote
            for suite_node in root.iter("testsuite"):
                tests = int(suite_node.get("tests", 0))
                failures = int(suite_node.get("failures", 0))
                errors = int(suite_node.get("errors", 0))
                skipped = int(suite_node.get("skipped", 0))
                totals["passed"] += tests - failures - errors - skipped
                totals["failed"] += failures
                totals["errors"] += errors
                totals["skipped"] += skipped
    failed = totals["failed"] + totals["errors"]
    if failed_suites:
        print("\nsuites with failures: " + ", ".join(failed_suites))
    print(f"\ntotal: {totals['passed']} passed, {failed} failed, {totals['skipped']} skipped")
    return 1 if failed_suites or failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
