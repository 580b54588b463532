"""Publishing a program version announces it: program.version_published in the outbox, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import orjson
from incentive_contracts.envelope import CloudEvent
from incentive_contracts.events.program import ProgramVersionPublished
from incentive_contracts.registry import decode
from ledger.entrypoints.program_cli import announce_programs
from servicekit.db import sync_url
from servicekit.testing.client import auth_header

DOC = """\
program: p2
title: Partner program two
tiers:
  levels:
    - id: registered
rebate:
  percent:
    registered: {default: 5}
clawback: {window_days: 60}
"""


async def _announcements(database_url: str) -> list[tuple[str, ProgramVersionPublished]]:
    conn = await asyncpg.connect(sync_url(database_url))
    try:
        rows = await conn.fetch(
            "SELECT partition_key, payload FROM outbox WHERE event_type = 'program.version_published' ORDER BY id"
        )
    finally:
        await conn.close()
    found = []
    for row in rows:
        payload = decode(CloudEvent.model_validate(orjson.loads(row["payload"])))
        assert isinstance(payload, ProgramVersionPublished)
        found.append((row["partition_key"], payload))
    return found


async def test_publishing_a_version_announces_it_once_and_a_draft_does_not(ledger_client, ledger_settings):
    token = auth_header(ledger_settings, "program:admin")
    created = await ledger_client.post(
        "/programs/p2/versions", content=DOC, headers={**token, "Content-Type": "application/yaml"}
    )
    assert created.status_code == 201, created.text
    assert await _announcements(ledger_settings.database_url) == []

    effective = datetime.now(UTC).date() + timedelta(days=30)
    for _ in range(2):  # the idempotent retry answers again without a second announcement
        published = await ledger_client.post(
            "/programs/p2/versions/1/publish",
            json={"effective_from": str(effective)},
            headers={**token, "Idempotency-Key": "publish-p2-1"},
        )
        assert published.status_code == 200, published.text

    [(key, event)] = await _announcements(ledger_settings.database_url)
    assert key == "program:p2"
    assert (event.program_id, event.program_version, event.effective_from) == ("p2", 1, effective)
    assert event.label == "Partner program two"
    assert event.published_at.isoformat() == published.json()["published_at"].replace("Z", "+00:00")
    assert event.correction is False


async def test_announce_programs_sends_every_published_version_again(ledger_client, ledger_settings, ledger_container):
    token = auth_header(ledger_settings, "program:admin")
    yaml = {**token, "Content-Type": "application/yaml"}
    effective = datetime.now(UTC).date() + timedelta(days=30)
    for version in (1, 2):
        assert (await ledger_client.post("/programs/p2/versions", content=DOC, headers=yaml)).status_code == 201
        if version == 1:
            published = await ledger_client.post(
                "/programs/p2/versions/1/publish", json={"effective_from": str(effective)}, headers=token
            )
            assert published.status_code == 200, published.text
    # Version 2 stays a draft: not announced.
    assert await announce_programs(ledger_container) == ["p2 v1"]
    announced = await _announcements(ledger_settings.database_url)
    assert [(key, e.program_id, e.program_version) for key, e in announced] == [("program:p2", "p2", 1)] * 2
