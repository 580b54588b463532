"""The group member's client make_consumer builds: heartbeats fit the session timeout."""

from __future__ import annotations

import pytest
from servicekit.kafka import make_consumer
from servicekit.settings import ServiceSettings


@pytest.mark.parametrize(
    ("configured", "override", "session", "heartbeat"),
    [
        (10000, None, 10000, 1000),  # the services' default: a heartbeat a second
        (3000, None, 3000, 1000),
        (2000, None, 2000, 666),  # shorter: three heartbeats per session timeout
        (10000, 900, 900, 300),  # a test's own timeout counts, not the settings'
    ],
)
async def test_a_member_heartbeats_at_least_three_times_per_session_timeout(
    configured: int, override: int | None, session: int, heartbeat: int
) -> None:
    settings = ServiceSettings(kafka_session_timeout_ms=configured)
    overrides = {} if override is None else {"session_timeout_ms": override}
    consumer = make_consumer(settings, "group", **overrides)
    try:
        assert consumer._session_timeout_ms == session
        assert consumer._heartbeat_interval_ms == heartbeat
    finally:
        await consumer.stop()  # never started: releases what the client allocated
