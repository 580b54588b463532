"""Commits counted per request attempt: whether a failed attempt stored anything (``transient``).

Every engine ``servicekit.db.create_engine`` makes reports its connections' commits here; an HTTP
request attempt opens a count (``counting``) and reads it when the attempt fails. A commit outside
any request (a consumer's batch, a leader's lock) counts nowhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass
class Commits:
    count: int = 0


_current: ContextVar[Commits | None] = ContextVar("servicekit_request_commits", default=None)


def count_commits(engine: AsyncEngine) -> None:
    """Count each commit on ``engine``'s connections against the attempt it happens in."""
    event.listen(engine.sync_engine, "commit", _committed)


def _committed(connection: object) -> None:
    commits = _current.get()
    if commits is not None:
        commits.count += 1


@contextmanager
def counting() -> Iterator[Commits]:
    """A fresh count for the code run inside (the request's task and what it awaits)."""
    commits = Commits()
    token = _current.set(commits)
    try:
        yield commits
    finally:
        _current.reset(token)
