"""Helpers shared by the contract tests (a uniquely named module: this folder is not a package).

Tests iterate the registry, so events added later are covered without touching the tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from incentive_contracts import registry
from incentive_contracts.examples import EventExample, MissingExampleError, example_for

CONTRACTS_DIR = Path(__file__).resolve().parent.parent

EVENT_KEYS = list(registry.models())


def key_id(key: tuple[str, int]) -> str:
    return f"{key[0]}.v{key[1]}"


def each_event(fn):  # type: ignore[no-untyped-def]
    """Parametrize a test with ``key`` = every registered (event_type, version)."""
    return pytest.mark.parametrize("key", EVENT_KEYS, ids=key_id)(fn)


def example_or_fail(key: tuple[str, int]) -> EventExample:
    try:
        return example_for(*key)
    except MissingExampleError as exc:
        pytest.fail(str(exc), pytrace=False)
