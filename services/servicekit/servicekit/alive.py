"""``python -m servicekit.alive PATH [MAX_AGE_SECONDS]``: exit 0 while the worker's heartbeat is fresh.

Kept free of heavy imports: it runs as a Kubernetes exec liveness probe.
"""

from __future__ import annotations

import sys

from .heartbeat import is_fresh


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print("usage: python -m servicekit.alive PATH [MAX_AGE_SECONDS]", file=sys.stderr)
        return 2
    max_age = float(argv[2]) if len(argv) == 3 else 60.0
    return 0 if is_fresh(argv[1], max_age) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
