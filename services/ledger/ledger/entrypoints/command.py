"""The ``ledger`` console script's module, kept lean on purpose.

``ledger replay --workers`` and ``ledger verify --workers`` start their workers with ``spawn``, and
a spawned child re-imports the parent's main module (the console script, which imports this
module) before it runs a job. Were the command line (typer, FastAPI, alembic, the PDF renderer)
imported here, every worker would pay for it: about 1.5 s of CPU and 100 MB each, against 0.1 s
for the verify worker's own modules. The command line is imported when the command runs.
"""

from __future__ import annotations


def main() -> None:
    """Run the ``ledger`` command line."""
    from .cli import main as run_command

    run_command()
