"""Run every test suite and print one combined total, with each suite's own figures.

The suites share two pytest sessions, each spread over three workers: a session's startup (the
interpreter and plugins per process, collection, an embedded PostgreSQL and broker per worker) costs
as much as a small suite, and the workers of one larger session stay busy where a small session's
last worker waits for the others. Three workers, also on a two-core machine: much of a test's time
is waiting (for the broker, PostgreSQL, processes it started), which a third worker fills. The
services' suites, contracts and kernel share the first session (their test modules and helpers have
names of their own); the cross-service ``tests`` package (e2e, API fuzzing, deploy, the browser
tests) is the second: its package name ``tests`` is also that of ``services/registration/tests``, so
the two are never collected together.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTEST = [sys.executable, "-m", "pytest", "-n", "3", "--dist", "loadgroup"]
SESSIONS = [
    [
        "contracts/tests",
        "kernel/tests",
        "services/servicekit/tests",
        "services/registration/tests",
        "services/mdf/tests",
        "services/ledger/tests",
        "services/insights/tests",
        "services/governance/tests",
    ],
    # End to end, the API fuzzing, the deployment files, and the console in headless Chromium over
    # `make run`'s stack with the demo data (Debian's chromium): one xdist group of its own.
    ["tests"],
]
# The suites reported apart, by the directory their test cases come from (the most specific first).
SUITES = [*SESSIONS[0], "tests/browser", "tests"]


def suite_of(case: ET.Element) -> str:
    """The suite of a junit test case, from its dotted class name (``services.mdf.tests.unit...``)."""
    path = case.get("classname", "").replace(".", "/")
    return next((suite for suite in SUITES if path.startswith(suite + "/")), "other")


def tally(report: Path, counts: dict[str, Counter[str]]) -> None:
    """Add a junit report's outcomes to ``counts`` (suite -> outcome -> number)."""
    for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314 - a report pytest just wrote
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed", "error": "errors"}.get(child.tag, child.tag)
        counts.setdefault(suite_of(case), Counter())[outcome] += 1


def main(argv: list[str]) -> int:
    extra = argv[1:]
    counts: dict[str, Counter[str]] = {}
    failed_sessions: list[str] = []
    missing = 0
    with tempfile.TemporaryDirectory() as tmp:
        for number, paths in enumerate(SESSIONS):
            report = Path(tmp) / f"session{number}.xml"
            print(f"\n=== {' '.join(paths)}", flush=True)
            code = subprocess.call(  # noqa: S603 - our own interpreter and fixed arguments
                [*PYTEST, *paths, f"--junitxml={report}", *extra],
                cwd=ROOT,
            )
            if code not in (0, 5):
                failed_sessions.append(" ".join(paths))
            if report.exists():
                tally(report, counts)
            else:
                missing += 1
    print()
    for suite in [*SUITES, "other"]:
        if suite in counts:
            c = counts[suite]
            print(f"{suite:32} {c['passed']:5} passed {c['failed'] + c['errors']:3} failed {c['skipped']:3} skipped")
    total = sum(counts.values(), Counter())
    failed = total["failed"] + total["errors"] + missing
    if failed_sessions:
        print("\nsessions with failures: " + "; ".join(failed_sessions))
    print(f"\ntotal: {total['passed']} passed, {failed} failed, {total['skipped']} skipped")
    return 1 if failed_sessions or failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
