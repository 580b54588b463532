"""Figures of one run: a rich table on the terminal and JSON in bench-results/."""

from __future__ import annotations

import json
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


@dataclass
class Metric:
    name: str
    value: float | None
    unit: str
    target: float | None = None
    higher_is_better: bool = True
    vs_baseline: float | None = None  # our figure / the naive baseline's
    vs_ceiling: float | None = None  # our figure / PostgreSQL COPY's
    vs_peer: float | None = None  # our figure / the eventsourcing library peer's
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def target_text(self) -> str:
        if self.target is None:
            return ""
        return f"{'≥' if self.higher_is_better else '≤'} {_number(self.target)}"


@dataclass
class ScenarioResult:
    name: str
    metrics: list[Metric] = field(default_factory=list)
    peak_rss_mb: dict[str, float | None] = field(default_factory=dict)
    cpu_seconds: dict[str, float | None] = field(default_factory=dict)  # while the scenario's processes ran
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def metric(self, *args: Any, **kwargs: Any) -> Metric:
        m = Metric(*args, **kwargs)
        self.metrics.append(m)
        return m


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}x"


def print_report(results: list[ScenarioResult], console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="Partner Incentive Ledger benchmarks", show_lines=False)
    for column in ("scenario", "metric", "target", "measured", "vs naive ORM", "vs COPY", "vs eventsourcing", ""):
        table.add_column(column, justify="right" if column not in ("scenario", "metric", "") else "left")
    for result in results:
        for i, m in enumerate(result.metrics):
            status = {True: "[green]met[/]", False: "[red]missed[/]", None: ""}[m.met]
            measured = "n/a" if m.value is None else f"{_number(m.value)} {m.unit}"
            table.add_row(
                result.name if i == 0 else "",
                m.name,
                m.target_text(),
                measured,
                _ratio(m.vs_baseline),
                _ratio(m.vs_ceiling),
                _ratio(m.vs_peer),
                status,
            )
        table.add_section()
    console.print(table)
    memory = Table(title="Peak resident memory (VmHWM / ru_maxrss) and CPU used")
    memory.add_column("scenario")
    memory.add_column("process")
    memory.add_column("peak RSS", justify="right")
    memory.add_column("CPU", justify="right")
    for result in results:
        names = list(dict.fromkeys([*result.peak_rss_mb, *result.cpu_seconds]))
        for i, process in enumerate(names):
            mb = result.peak_rss_mb.get(process)
            cpu = result.cpu_seconds.get(process)
            memory.add_row(
                result.name if i == 0 else "",
                process,
                "" if mb is None else f"{mb:,.0f} MiB",
                "" if cpu is None else f"{cpu:,.1f} s",
            )
    console.print(memory)
    for result in results:
        for note in result.notes:
            console.print(f"[dim]{result.name}: {note}[/]")


def write_json(results: list[ScenarioResult], out_dir: Path, context: dict[str, Any]) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    document = {
        "run_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": _cpus(), "python": platform.python_version(), "platform": platform.platform()},
        **context,
        "scenarios": [
            {
                **asdict(r),
                "metrics": [{**asdict(m), "met": m.met} for m in r.metrics],
            }
            for r in results
        ],
    }
    path = out_dir / f"bench-{stamp}.json"
    text = json.dumps(document, indent=2, default=str)
    path.write_text(text)
    (out_dir / "latest.json").write_text(text)
    return path


def _cpus() -> int:
    import os

    return os.cpu_count() or 0
