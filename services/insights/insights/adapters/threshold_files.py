"""Loading the drift-threshold versions: the YAML files shipped in ``insights/thresholds/``, or the
files of ``INSIGHTS_THRESHOLDS_DIR`` when it is set."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..domain.drift import ThresholdSet
from ..domain.threshold_document import InvalidThresholds, parse_thresholds


def load_threshold_sets(directory: str | None = None) -> tuple[ThresholdSet, ...]:
    if directory:
        texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(Path(directory).glob("*.yaml"))]
    else:
        shipped = resources.files("insights.thresholds")
        texts = [
            (f.name, f.read_text(encoding="utf-8"))
            for f in sorted(shipped.iterdir(), key=lambda f: f.name)
            if f.name.endswith(".yaml")
        ]
    sets: list[ThresholdSet] = []
    for name, text in texts:
        try:
            sets.append(parse_thresholds(text))
        except InvalidThresholds as exc:
            raise InvalidThresholds([f"{name}: {e}" for e in exc.errors]) from exc
    versions = [s.version for s in sets]
    duplicates = sorted({v for v in versions if versions.count(v) > 1})
    if duplicates:
        raise InvalidThresholds([f"version {v} is defined twice" for v in duplicates])
    return tuple(sets)
