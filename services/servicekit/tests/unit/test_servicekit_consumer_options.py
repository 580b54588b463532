"""The group member's client make_consumer builds: heartbeats fit the session timeout, and fetches
wait on the broker as long as the settings say."""

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


@pytest.mark.parametrize(("configured", "wait"), [(None, 500), (100, 100)])
async def test_a_fetch_waits_on_the_broker_as_configured(configured: int | None, wait: int) -> None:
    settings = ServiceSettings() if configured is None else ServiceSettings(kafka_fetch_max_wait_ms=configured)
    consumer = make_consumer(settings, "group")
    try:
        assert consumer._fetch_max_wait_ms == wait  # 500: aiokafka's own default, as before the setting
    finally:
        await consumer.stop()
