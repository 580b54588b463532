"""Async SQLAlchemy engine creation (asyncpg driver)."""

from __future__ import annotations

import orjson
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .request_commits import count_commits


def async_url(url: str) -> str:
    """Any ``postgresql://`` URL as the ``postgresql+asyncpg://`` form SQLAlchemy needs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def sync_url(url: str) -> str:
    """The plain ``postgresql://`` form (for asyncpg.connect and tools)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def json_text(value: object) -> str:
    """JSON/JSONB parameters by orjson: the projectors write state documents on every batch, and the
    json module was a visible share of their time (PostgreSQL parses either the same way)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    engine = create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        json_serializer=json_text,
        json_deserializer=orjson.loads,
    )
    count_commits(engine)  # a request that committed nothing may run again on a transient error
    return engine
