"""Which database errors are transient: the transaction could not go on, through no fault of its
work, and PostgreSQL rolled it back, so running the same work again is safe and may succeed.

- a deadlock (SQLSTATE 40P01): PostgreSQL ended one of two transactions waiting on each other;
- a serialization failure (40001);
- a prepared statement whose plan a schema change made invalid (asyncpg's
  ``InvalidCachedStatementError``, as after a migration that changes a column's type while the
  service runs). SQLAlchemy clears its statement caches, but cannot retry: the transaction is
  aborted.

The HTTP edge runs such a request again (``transient.RetryTransient``), consumers their batch.
"""

from __future__ import annotations

import asyncpg

ATTEMPTS = 3  # in all
PAUSE_SECONDS = 0.05  # times the attempt's number: a deadlock's other party gets to finish
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps: SQLAlchemy's ``orig``, a cause) is one of the errors above."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, asyncpg.exceptions.InvalidCachedStatementError):
            return True
        if getattr(current, "sqlstate", None) in TRANSIENT_SQLSTATES:
            return True
        wrapped = getattr(current, "orig", None)
        current = wrapped if isinstance(wrapped, BaseException) else current.__cause__
    return False
