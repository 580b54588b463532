"""Alembic environment of the insights service (async, shared body in servicekit)."""

from servicekit.migrations import run_env

run_env(target_metadata=None)
